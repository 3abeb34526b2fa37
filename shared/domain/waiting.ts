import type { OutboundMessage } from './outbound.js';
import { AI_AUTHOR_ID } from './routing/routable.js';
import type { Conversation } from './timeline.js';

/**
 * Whether a reply answers the customer, so their wait ends once it is sent: an agent's, or the AI
 * responder's. Automations' messages and surveys (also author `ai`) do not; notes are no replies.
 */
export function answersCustomer(author: OutboundMessage['author']): boolean {
  return author.kind === 'agent' || author.id === AI_AUTHOR_ID;
}

/**
 * The time an answer counts from: when it was written, or for the AI's answer its place right after
 * the message it answers when that is later (a provider's clock ahead of ours), so it always answers it.
 */
export function answeredAt(message: Pick<OutboundMessage, 'at' | 'placedAt'>): string {
  return message.placedAt && message.placedAt > message.at ? message.placedAt : message.at;
}

/**
 * Whether the customer's message at `at` may start a wait on the conversation as its touch left it:
 * open, nobody waiting yet, and no answer as new as the message. Unknown (a late message's touch
 * answers nothing): the store's conditional write decides.
 */
export function mayStartWaiting(conversation: Conversation | undefined, at: string): boolean {
  if (!conversation) return true;
  if (conversation.status !== 'open' || conversation.waitingSince !== undefined) return false;
  return conversation.answeredAt === undefined || conversation.answeredAt < at;
}

/** Whether the customer waits for an answer: open, with a message no answer followed yet. */
export function isWaiting(conversation: Pick<Conversation, 'status' | 'waitingSince'>): boolean {
  return conversation.status === 'open' && conversation.waitingSince !== undefined;
}

/** Whether routing's outcome says the AI answered the message (its reply stored and sent or queued). */
export function aiAnswered(outcome: unknown): boolean {
  return (
    typeof outcome === 'object' && outcome !== null && (outcome as { replied?: unknown }).replied === true
  );
}

/**
 * The customer's message an AI answer that could not be sent left unanswered (the answer is placed
 * 1 ms after it): the wait starts again from it. Undefined for other replies, which end no wait unsent.
 */
export function unansweredBy(message: Pick<OutboundMessage, 'author' | 'placedAt'>): string | undefined {
  if (!message.placedAt || !answersCustomer(message.author)) return undefined;
  return new Date(Date.parse(message.placedAt) - 1).toISOString();
}
