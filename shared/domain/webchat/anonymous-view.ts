import type { Identity } from '../envelope.js';
import { identityToken } from '../identity.js';
import type { TimelineItem } from '../timeline.js';
import type { WebchatSession } from './session.js';

/**
 * Whether a session is an anonymous visitor's (no identity token from the site). Anyone can open one
 * and type anyone's email in the pre-chat form, so once an agent merges its customer with another,
 * the merged timeline is not theirs to see: only their own web chat is.
 */
export const isAnonymousSession = (session: Pick<WebchatSession, 'visitor'>): boolean =>
  session.visitor.kind === 'webchat_visitor';

/** The live subject an anonymous visitor's connection follows for a conversation's replies. */
export const conversationSubject = (conversationId: string): string => `conversation#${conversationId}`;

/** Whether an item is a message the anonymous visitor `visitor` wrote in the web chat. */
function writtenBy(item: TimelineItem, visitor: Identity): boolean {
  return (
    item.type === 'message' &&
    item.direction === 'inbound' &&
    item.channel === 'webchat' &&
    item.from !== undefined &&
    identityToken(item.from) === identityToken(visitor)
  );
}

/** The conversations among `items` in which the anonymous visitor wrote. */
export function visitorConversations(items: readonly TimelineItem[], visitor: Identity): Set<string> {
  const out = new Set<string>();
  for (const item of items) if (writtenBy(item, visitor) && item.conversationId) out.add(item.conversationId);
  return out;
}

/**
 * What an anonymous visitor may see of a (possibly merged) timeline: their own web-chat messages, and
 * the web-chat items (our replies, the hand-off) of the conversations they wrote in. Never a message of
 * another channel or another visitor, never an email answer, even in the same conversation.
 */
export function inAnonymousView(
  item: TimelineItem,
  visitor: Identity,
  conversations: ReadonlySet<string>,
): boolean {
  if (item.channel !== 'webchat') return false;
  if (item.type === 'message' && item.direction === 'inbound') return writtenBy(item, visitor);
  return item.conversationId !== undefined && conversations.has(item.conversationId);
}
