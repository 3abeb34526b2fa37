import type { Envelope } from './envelope.js';
import { type OutboundMessage, OutboundMessageSchema } from './outbound.js';
import { AI_AUTHOR_ID } from './routing/routable.js';
import type { Conversation, PlacedTimelineItem } from './timeline.js';

/**
 * Who reopens a resolved conversation whose last answer the provider reported failed (the `by` of its
 * `reopened` timeline event): the delivery, no agent.
 */
export const DELIVERY_AUTHOR_ID = 'delivery';

/**
 * Whether a reply answers the customer, so their wait ends once it is sent: an agent's, or the AI
 * responder's. Automations' messages and surveys (also author `ai`) do not; notes are no replies.
 */
export function answersCustomer(author: OutboundMessage['author']): boolean {
  return author.kind === 'agent' || author.id === AI_AUTHOR_ID;
}

/** Who a reply is by, as the conversation's clock tells them apart: an automation's message answers nothing. */
export type ClockAuthor = 'agent' | 'ai' | 'automation';

/**
 * The reply's author as the clock counts it: an agent, the AI responder (whose answers meet targets
 * with `aiRepliesCount`), or an automation or survey (also stored as author `ai`), which meets no
 * target and starts no auto-resolve silence.
 */
export function clockAuthorOf(author: OutboundMessage['author']): ClockAuthor {
  if (author.kind === 'agent') return 'agent';
  return answersCustomer(author) ? 'ai' : 'automation';
}

/**
 * Whether a message the business sent outside Threadline answers the customer as an agent's reply
 * does: an echo (WhatsApp Business app, the Page inbox, another app) of what a colleague wrote or sent
 * in the thread (text, files, a sticker). Its reactions, edits and deletions, and event kinds we do not
 * read, are kept as `unsupported` and answer nothing; nor does a like (`data.like`), nor Instagram's
 * own item for a story of the brand's that mentions the customer (`story_mention`, echoed: the brand
 * posted a story, nobody wrote in the thread), nor an automation's echo (`data.automated`: Meta
 * Business Suite's instant reply or away message, META_AUTOMATION_APP_IDS), which no person wrote.
 * Echoes of our own replies never get this far (the resolver recognises them by their reference).
 */
export function isBusinessAnswer(envelope: Envelope): boolean {
  return envelope.kind === 'message' && envelope.direction === 'outbound' && writtenInThread(envelope);
}

/** An echo's content as `isBusinessAnswer` reads it: something a person wrote or sent in the thread. */
function writtenInThread(message: {
  contentType?: string | undefined;
  text?: string | undefined;
  data?: Record<string, unknown> | undefined;
}): boolean {
  const data = message.data ?? {};
  if (message.contentType === undefined || message.contentType === 'unsupported') return false;
  if (data.automated === true || typeof data.like === 'string') return false;
  const types = Array.isArray(data.attachmentTypes) ? data.attachmentTypes : [];
  return !(message.text === undefined && types.length > 0 && types.every((t) => t === 'story_mention'));
}

/**
 * Whether a timeline item is a message the business sent from its own app (its echo, which carries no
 * author of ours) that answered the customer, as `isBusinessAnswer` said of its envelope.
 */
function isEchoedAnswer(item: PlacedTimelineItem['item']): boolean {
  // Our own replies' items (`reply:<id>`, `replyItemId`, not imported: the console reads this module)
  // always name their author: one that does not answers nothing.
  if (item.id.startsWith('reply:')) return false;
  return item.type === 'message' && item.direction === 'outbound' && writtenInThread(item);
}

/**
 * The time an answer counts from for the customer's wait: when it was written, or for the AI's answer
 * its place right after the message it answers (`placedAt`). The AI answers that message only, not one
 * the customer wrote while it was being written (a later message of the same delivery, handed to a
 * person): that one still waits, in whichever order the writes land. An agent sees every message: their
 * reply answers all the customer wrote before it.
 */
export function answeredAt(message: Pick<OutboundMessage, 'at' | 'placedAt'>): string {
  return message.placedAt ?? message.at;
}

/**
 * The time the conversation clock counts a reply at: when it was written, or for the AI's answer its
 * place right after the message it answers when that is later (a provider's clock ahead of ours), so
 * the clock never takes the message for one that came after it.
 */
export function repliedAt(message: Pick<OutboundMessage, 'at' | 'placedAt'>): string {
  return message.placedAt && message.placedAt > message.at ? message.placedAt : message.at;
}

/**
 * Whether the customer's message at `at` may start a wait on the conversation as its touch left it:
 * open, nobody waiting yet, and no answer as new as the message, nor made after we received it
 * (`receivedAt`: an answer made before we had the message did not answer it, whatever its time).
 * Unknown (a late message's touch answers nothing): the store's conditional write decides.
 */
export function mayStartWaiting(
  conversation: Conversation | undefined,
  at: string,
  receivedAt?: string | undefined,
): boolean {
  if (!conversation) return true;
  if (conversation.status !== 'open' || conversation.waitingSince !== undefined) return false;
  return conversation.answeredAt === undefined || conversation.answeredAt < heard(at, receivedAt);
}

/** When the business could first have seen a customer's message at `at`: then, or our receipt when later. */
export const heard = (at: string, receivedAt: string | undefined): string =>
  receivedAt !== undefined && receivedAt > at ? receivedAt : at;

/**
 * When a customer's message starts its clock, the one place that decides it: the wait (`waitingSince`,
 * the inbox's waiting order), a reopen's wait, and the SLA targets it starts or runs again. Its own
 * time; but for a message `overtaken` (an answer, the conversation's start, or the resolve it reopened
 * after came after it before it reached us), when our webhook took it (`arrivedAt`, which the queue's
 * redeliveries keep), if later: never its own time (days old, a target breached at once) nor the
 * resolver's receipt (a first delivery that crashed and came back hours later shortens the wait).
 */
export function clockStart(message: {
  at: string;
  arrivedAt?: string | undefined;
  overtaken?: boolean | undefined;
}): string {
  const { at, arrivedAt, overtaken } = message;
  return overtaken && arrivedAt !== undefined && arrivedAt > at ? arrivedAt : at;
}

/**
 * When the resolver first received a customer's message, when later than its time: the first delivery's
 * time (or the one a late message keeps on its item); a redelivery's, the webhook's receipt, no later
 * than the first delivery's (a queue's redelivery carries it unchanged), so a message an answer came
 * after was never seen as crossing it. A provider's resend (the same wamid, MessageSid, mid or mail,
 * posted to our webhook again after the item was stored) carries its own, later receipt: the item's
 * `storedAt`, when the delivery that wrote it had it, bounds it, so an answer made since still answered it.
 */
export function firstReceipt(
  item: { at: string; receivedAt?: string | undefined; storedAt?: string | undefined },
  delivery: { written: boolean; now: string; envelope: { receivedAt: string } },
): string | undefined {
  const receipt =
    item.receivedAt ?? (delivery.written ? delivery.now : redeliveredAt(item, delivery.envelope));
  return receipt > item.at ? receipt : undefined;
}

/**
 * When our webhook first took a message another delivery wrote: this delivery's receipt, no later than
 * the item's `storedAt` (a provider's resend is taken again, after it); the receipt for items stored
 * before `storedAt` was kept.
 */
export function redeliveredAt(
  item: { storedAt?: string | undefined },
  envelope: { receivedAt: string },
): string {
  return takenAfterStored(item, envelope) ? (item.storedAt ?? envelope.receivedAt) : envelope.receivedAt;
}

/** Whether our webhook took this delivery after the item was stored (`storedAt`, when kept): a resend. */
const takenAfterStored = (item: { storedAt?: string | undefined }, envelope: { receivedAt: string }) =>
  item.storedAt !== undefined && item.storedAt < envelope.receivedAt;

/**
 * Whether a delivery is the provider's resend of a message another delivery stored: it did not write
 * the item, and our webhook took it after that delivery had it (`storedAt`). That delivery, or its
 * queue's redelivery (which keeps the earlier receipt), tells the clock: the resend wakes no snooze.
 */
export function isResend(
  item: { storedAt?: string | undefined },
  delivery: { written: boolean; envelope: { receivedAt: string } },
): boolean {
  return !delivery.written && takenAfterStored(item, delivery.envelope);
}

/** Whether the customer waits for an answer: open, with a message no answer followed yet. */
export function isWaiting(conversation: Pick<Conversation, 'status' | 'waitingSince'>): boolean {
  return conversation.status === 'open' && conversation.waitingSince !== undefined;
}

/**
 * Whether routing's outcome says no channel can take a reply to the message (the customer opted out of
 * SMS, and reached us on nothing else): nobody waits for an answer that cannot go out.
 */
export function unreachable(outcome: unknown): boolean {
  return (
    typeof outcome === 'object' &&
    outcome !== null &&
    (outcome as { unreachable?: unknown }).unreachable === true
  );
}

/**
 * Whether routing's outcome says another delivery of the message routes it (a twin's, `deferred`): that
 * delivery settles its wait and its inbox entry, as routing's outcome tells it.
 */
export function routedElsewhere(outcome: unknown): boolean {
  return (
    typeof outcome === 'object' && outcome !== null && (outcome as { deferred?: unknown }).deferred === true
  );
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

/**
 * The hand-off a failed AI answer's wait owes (`handOffOwed` on the conversation, written by the write
 * that brings the wait back, taken off once the hand-off is made): the answer's own time (`written`, its
 * key) and the hand-off's time, so a retry after a crash makes the same note and event, once.
 */
export interface OwedHandOff {
  answer: string;
  at: string;
}

/** The wait a reply the provider took and later reported failed starts again, and the answer it undoes. */
export interface LateFailureWait {
  conversationId: string;
  /** When the wait starts again from. */
  at: string;
  /** The failed reply's time as an answer (`answeredAt`): the conversation's `answeredAt` if it was the last. */
  answered: string;
  /** The failed reply's own time (`at`): its first-response mark's, if it was the first response. */
  written: string;
  /** The failed reply's time as the conversation clock counted it (`repliedAt`). */
  replied: string;
  /** The AI's answer (not an agent's): a person is handed the conversation (`undeliveredAnswerHandOff`). */
  byAi?: { channel: OutboundMessage['channel'] };
}

/**
 * The wait a reply's later `failed` status (taken by the provider, then undelivered or bounced) brings
 * back: only for a reply that answers the customer. The AI's answer is placed right after the message
 * it answered, so the wait starts again from that message, as for a send that failed at once. An
 * agent's reply names no message, and the one whose wait it ended is no longer recorded (the answer
 * removed `waitingSince`): it starts from the reply's own time, never a longer wait than is known, and
 * before any message the customer wrote since, so the conversation goes back among the waiting by when
 * its answer went missing. A business app reply (an echo, which answered at its time) does the same.
 * Undefined for other replies, and items without their conversation.
 */
export function lateFailureWait(failed: PlacedTimelineItem): LateFailureWait | undefined {
  const { item, placedAt } = failed;
  if (!item.conversationId) return undefined;
  const author = OutboundMessageSchema.shape.author.safeParse(item.data?.author);
  if (!author.success) {
    // A business app reply (its echo) answered as an agent's reply does, at its own time.
    if (!isEchoedAnswer(item)) return undefined;
    const { at } = item;
    return { conversationId: item.conversationId, at, answered: at, written: at, replied: at };
  }
  // The AI's reply is keyed at its place (`placedAt`); its `at` is when it was written.
  return lateFailureWaitOf({
    author: author.data,
    conversationId: item.conversationId,
    at: item.at,
    placedAt: author.data.kind === 'ai' ? placedAt : undefined,
    channel: item.channel as OutboundMessage['channel'],
  });
}

/** The same for the reply as the sender holds it (a `failed` status that came before the send was recorded). */
export function lateFailureWaitOf(
  message: Pick<OutboundMessage, 'author' | 'conversationId' | 'at' | 'placedAt' | 'channel'>,
): LateFailureWait | undefined {
  if (!answersCustomer(message.author)) return undefined;
  const answered = answeredAt(message);
  return {
    conversationId: message.conversationId,
    at: unansweredBy(message) ?? answered,
    answered,
    written: message.at,
    replied: repliedAt(message),
    ...(message.author.kind === 'ai' ? { byAi: { channel: message.channel } } : {}),
  };
}
