import type { ReplyAuthor } from '../replies.js';
import { replyItemId } from '../replies.js';
import { authorKind, type Customer, type TimelineItem } from '../timeline.js';
import { newTimer, type Timer } from '../timer-ports.js';

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
  if (!hasVerifiedEmail(profiles)) return { stale: 'no_email' };
  const author = reply.data?.author as { id?: unknown };
  return {
    send: { text: reply.text, author: { kind, id: typeof author.id === 'string' ? author.id : kind } },
  };
}
