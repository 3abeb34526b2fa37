import type { ReplyAuthor } from '../replies.js';
import { replyItemId } from '../replies.js';
import { shortened } from '../text-cut.js';
import { authorKind, type Customer, type TimelineItem } from '../timeline.js';
import { newTimer, type Timer } from '../timer-ports.js';
import { isUnverifiedVisitor } from './anonymous-view.js';
import { chatPageLink } from './chat-page.js';

/** How much of the visitor's question the email quotes, in UTF-16 units, its ellipsis included. */
const QUESTION_CHARS = 300;

/** The timeline event that says an unread web-chat reply also went by email. */
export const WEBCHAT_FALLBACK_EVENT = 'webchat_email_fallback';

/**
 * Whether the customer can be reached by email: only a real address counts (one a site's identity
 * token vouched for, or one they wrote from); an email an anonymous visitor typed is never an identity.
 */
export function hasVerifiedEmail(profiles: readonly Pick<Customer, 'identities'>[]): boolean {
  return profiles.some((p) => p.identities.some((i) => i.kind === 'email'));
}

/** The timer of a web-chat reply's email fallback: keyed on the reply, so setting it twice is one timer. */
export function webchatFallbackTimer(
  reply: { conversationId: string; replyId: string; at: string },
  delayMs: number,
): Timer {
  return newTimer({
    kind: 'webchat_fallback',
    subject: reply.conversationId,
    version: reply.replyId,
    detail: reply.at,
    dueAt: new Date(Date.parse(reply.at) + delayMs).toISOString(),
  });
}

/** What the fallback does when its timer fires: send the reply's text by email, or nothing (and why). */
export type FallbackDecision =
  | { send: { text: string; author: ReplyAuthor } }
  | { stale: 'no_reply' | 'read' | 'failed' | 'no_text' | 'no_email' };

/**
 * Decides a fired fallback from the reply as the timeline has it now and the customer's profiles: only
 * an agent's or the AI's web-chat reply with text that the visitor has not read goes, and only to a
 * customer with a verified email.
 */
export function fallbackDecision(
  reply: TimelineItem | undefined,
  replyId: string,
  profiles: readonly Pick<Customer, 'identities'>[],
): FallbackDecision {
  const kind = reply && authorKind(reply);
  if (
    !reply ||
    reply.id !== replyItemId(replyId) ||
    reply.channel !== 'webchat' ||
    (kind !== 'agent' && kind !== 'ai')
  ) {
    return { stale: 'no_reply' };
  }
  if (reply.status === 'read') return { stale: 'read' };
  if (reply.status === 'failed') return { stale: 'failed' };
  if (!reply.text) return { stale: 'no_text' };
  // A reply for an anonymous visitor merged into the customer is not the email's owner's to read.
  if (!hasVerifiedEmail(profiles) || isUnverifiedVisitor(reply.to)) return { stale: 'no_email' };
  const author = reply.data?.author as { id?: unknown };
  return {
    send: { text: reply.text, author: { kind, id: typeof author.id === 'string' ? author.id : kind } },
  };
}

/** Timeline items read (newest) when a fallback fires: the replies it covers and the visitor's question. */
export const FALLBACK_READ_ITEMS = 50;

/** One fallback email: every unread reply since the last one, with the visitor's last question. */
export interface FallbackEmail {
  /** The newest reply it covers: the email's idempotency key and its event's id. */
  key: string;
  replyIds: string[];
  subject: string;
  text: string;
}

/** The reply ids earlier fallback emails covered (an older event names one `replyId`). */
function coveredReplies(items: readonly TimelineItem[]): Set<string> {
  const covered = new Set<string>();
  for (const item of items) {
    if (item.event !== WEBCHAT_FALLBACK_EVENT) continue;
    const ids = Array.isArray(item.data?.replyIds) ? item.data.replyIds : [item.data?.replyId];
    for (const id of ids) if (typeof id === 'string') covered.add(id);
  }
  return covered;
}

/** Whether a timeline item is an unread web-chat reply with text of the conversation. */
function unreadReply(item: TimelineItem, conversationId: string): boolean {
  const kind = authorKind(item);
  return (
    item.type === 'message' &&
    item.channel === 'webchat' &&
    item.conversationId === conversationId &&
    (kind === 'agent' || kind === 'ai') &&
    !isUnverifiedVisitor(item.to) &&
    item.status !== 'read' &&
    item.status !== 'failed' &&
    typeof item.text === 'string' &&
    item.text.length > 0
  );
}

/**
 * The one email a fired fallback sends for its conversation, or undefined when an earlier one already
 * covered its reply: every unread reply of the conversation up to `now` that no earlier fallback email
 * covered (so three chat lines are one email, and the timers of the other two find them covered),
 * keyed on the newest, with the visitor's last message quoted and a subject naming the business.
 * `items` are the customer's recent timeline, oldest first; `reply` is the timer's own reply. The
 * email links back to the page the visitor last chatted on when its origin is one of `allowedOrigins`.
 */
export function fallbackEmail(input: {
  items: readonly TimelineItem[];
  reply: TimelineItem;
  conversationId: string;
  now: string;
  business?: string | undefined;
  allowedOrigins?: readonly string[] | undefined;
}): FallbackEmail | undefined {
  const { items, reply, conversationId } = input;
  const replyId = (item: TimelineItem) => item.id.slice(replyItemId('').length);
  const covered = coveredReplies(items);
  if (covered.has(replyId(reply))) return undefined;
  const byId = new Map<string, TimelineItem>([[reply.id, reply]]);
  for (const item of items) {
    if (item.at <= input.now && unreadReply(item, conversationId) && !covered.has(replyId(item)))
      byId.set(item.id, item);
  }
  const replies = [...byId.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const first = replies[0]?.at ?? reply.at;
  const asked = items
    .filter((i) => i.type === 'message' && i.direction === 'inbound' && i.conversationId === conversationId)
    .filter((i) => !isUnverifiedVisitor(i.from))
    .filter((i) => i.at <= first && typeof i.text === 'string' && i.text.length > 0)
    .at(-1);
  const question = asked?.text;
  const link = chatPageLink(asked?.data?.page, input.allowedOrigins ?? []);
  const business = input.business ?? 'us';
  const lines = replies.map((r) => r.text as string);
  const text = [
    `You have ${lines.length === 1 ? 'a reply' : `${lines.length} replies`} in your chat with ${business}:`,
    '',
    ...lines,
    ...(question ? ['', `You wrote: "${shortened(question, QUESTION_CHARS)}"`] : []),
    '',
    ...(link
      ? ['Answer this email to carry on.', `Carry on in the chat: ${link}`]
      : ['Answer this email, or open the chat on our site again, to carry on.']),
  ].join('\n');
  const newest = replies.at(-1) ?? reply;
  return {
    key: replyId(newest),
    replyIds: replies.map(replyId),
    subject: `Your chat with ${business}`,
    text,
  };
}
