import { createHash } from 'node:crypto';
import type { Identity } from '../envelope.js';
import { identityToken } from '../identity.js';
import type { TimelineItem } from '../timeline.js';
import { visitorKey } from './envelopes.js';
import type { WebchatSession } from './session.js';

/**
 * Whether a session is an anonymous visitor's (no identity token from the site). Anyone can open one
 * and type anyone's email in the pre-chat form, so once an agent merges its customer with another,
 * the merged timeline is not theirs to see: only their own web chat is.
 */
export const isAnonymousSession = (session: Pick<WebchatSession, 'visitor'>): boolean =>
  session.visitor.kind === 'webchat_visitor';

/**
 * The id an anonymous visitor is shown for a conversation (`vc_` and 22 characters of a hash of the
 * conversation's id): the same in the history and live, so the panel groups and types by it, and
 * never the conversation's own id. Once an agent merged the visitor into a customer (on an email they
 * typed, which anyone may type), their next message goes into that customer's conversation, whose id
 * is not theirs to learn.
 */
export function anonymousConversationId(conversationId: string): string {
  return `vc_${createHash('sha256').update(`webchat-visitor#${conversationId}`).digest('base64url').slice(0, 22)}`;
}

/** A web-chat payload (a message, a frame, a hand-off) as an anonymous visitor is shown it: see anonymousConversationId. */
export function forAnonymousVisitor<T>(value: T): T {
  if (!value || typeof value !== 'object') return value;
  const out = { ...value } as Record<string, unknown>;
  if (typeof out.conversationId === 'string')
    out.conversationId = anonymousConversationId(out.conversationId);
  for (const part of ['message', 'handoff'] as const) {
    if (out[part] && typeof out[part] === 'object') out[part] = forAnonymousVisitor(out[part]);
  }
  return out as T;
}

/** The live subject an anonymous visitor's connection follows for a conversation's replies. */
export const conversationSubject = (conversationId: string): string => `conversation#${conversationId}`;

/** Whether a web-chat identity is one nobody vouched for: an anonymous visitor of one browser. */
export const isUnverifiedVisitor = (identity: Identity | undefined): boolean =>
  identity?.kind === 'webchat_visitor';

/** Whether `itemId` is the id of a web-chat message the visitor `visitor` wrote (see visitorKey). */
function byVisitorId(itemId: unknown, visitor: Identity): boolean {
  return typeof itemId === 'string' && itemId.startsWith(`webchat:${visitorKey(visitor)}.`);
}

const inboundChat = (item: TimelineItem): boolean =>
  item.type === 'message' && item.direction === 'inbound' && item.channel === 'webchat';

/** Whether an item is a message the visitor `visitor` wrote in the web chat (from their identity, or their key). */
function writtenBy(item: TimelineItem, visitor: Identity): boolean {
  if (!inboundChat(item)) return false;
  if (item.from && identityToken(item.from) === identityToken(visitor)) return true;
  return byVisitorId(item.id, visitor);
}

/** The conversations among `items` in which the visitor wrote in the web chat. */
export function visitorConversations(items: readonly TimelineItem[], visitor: Identity): Set<string> {
  const out = new Set<string>();
  for (const item of items) if (writtenBy(item, visitor) && item.conversationId) out.add(item.conversationId);
  return out;
}

/**
 * The conversations among `items` in which only anonymous visitors wrote in the web chat: a reply
 * there that does not say whom it was for (stored before replies did) was for one of them.
 */
function strangerConversations(items: readonly TimelineItem[]): Set<string> {
  const strangers = new Set<string>();
  const vouched = new Set<string>();
  for (const item of items) {
    if (!inboundChat(item) || !item.conversationId) continue;
    (isUnverifiedVisitor(item.from) ? strangers : vouched).add(item.conversationId);
  }
  for (const id of vouched) strangers.delete(id);
  return strangers;
}

/**
 * What an anonymous visitor may see of a (possibly merged) timeline: their own web-chat messages, our
 * web-chat replies for them (`to`; a reply stored before replies said so: of a conversation they wrote
 * in), and the hand-offs of their messages. Never a message of another channel or another visitor,
 * never an email answer, never a reply for another visitor of the same conversation.
 */
export function inAnonymousView(
  item: TimelineItem,
  visitor: Identity,
  conversations: ReadonlySet<string>,
): boolean {
  if (item.channel !== 'webchat') return false;
  if (item.type === 'message' && item.direction === 'inbound') return writtenBy(item, visitor);
  if (item.type === 'message' && item.to) return identityToken(item.to) === identityToken(visitor);
  if (item.type === 'event' && item.data?.itemId !== undefined) return byVisitorId(item.data.itemId, visitor);
  return item.conversationId !== undefined && conversations.has(item.conversationId);
}

/**
 * What a verified visitor (the site vouched for them) may see of their customer's merged timeline:
 * everything a visitor is shown, except what belongs to an anonymous visitor merged in (only an email
 * they typed joined them, which anyone may type): that visitor's messages, our replies for them
 * (`to`; one stored before replies said so: of a conversation only anonymous visitors wrote in) and
 * the hand-offs of their messages (a hand-off shows only for the visitor's own messages).
 */
export function inVerifiedView(
  item: TimelineItem,
  visitor: Identity,
  strangers: ReadonlySet<string>,
): boolean {
  if (item.channel !== 'webchat') return true;
  if (item.type === 'message' && item.direction === 'inbound') return !isUnverifiedVisitor(item.from);
  if (item.type === 'message' && item.to) return !isUnverifiedVisitor(item.to);
  if (item.type === 'event' && item.data?.itemId !== undefined) return byVisitorId(item.data.itemId, visitor);
  return item.conversationId === undefined || !strangers.has(item.conversationId);
}

/**
 * The items of a page (or of the newest items) a session may see: a verified session's through
 * inVerifiedView, an anonymous one's through inAnonymousView, each reading from the same items the
 * conversations a reply that does not name its visitor belongs to.
 */
export function sessionView<T>(
  session: Pick<WebchatSession, 'visitor'>,
  rows: readonly T[],
  itemOf: (row: T) => TimelineItem,
): T[] {
  const items = rows.map(itemOf);
  if (isAnonymousSession(session)) {
    const mine = visitorConversations(items, session.visitor);
    return rows.filter((row) => inAnonymousView(itemOf(row), session.visitor, mine));
  }
  const strangers = strangerConversations(items);
  return rows.filter((row) => inVerifiedView(itemOf(row), session.visitor, strangers));
}
