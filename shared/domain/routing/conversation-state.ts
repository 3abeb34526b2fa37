import * as z from 'zod';
import { type Channel, ChannelSchema } from '../envelope.js';
import type { Conversation, TimelineItem } from '../timeline.js';
import { type ConversationFacts, conversationFacts } from './facts.js';

/**
 * How many of the customer's most recent timeline items routing and the responder read (newest
 * first, one bounded query): what happened long ago comes from the conversation state instead.
 */
export const RECENT_ITEMS = 12;

/**
 * What routing keeps on the conversation so it never reads the whole timeline. Every field is set
 * by a write the pipeline already makes (or a hand-off's), idempotently (first time wins; the count of
 * the customer's turns by the delivery that wrote the message), and the episode's fields are cleared
 * when the conversation is resolved, so a reopened one starts afresh.
 */
export const ConversationStateSchema = z.object({
  /** Since when the state is kept; after `createdAt` for a conversation from before the state existed. */
  stateFrom: z.iso.datetime().optional(),
  createdAt: z.iso.datetime().optional(),
  /** The first inbound message on each channel since the conversation was last resolved. */
  inboundSince: z.partialRecord(ChannelSchema, z.iso.datetime()).default({}),
  /** An agent's first reply since the conversation was last resolved. */
  humanRepliedAt: z.iso.datetime().optional(),
  /** Routing first handed the conversation to a person since it was last resolved, for this item. */
  escalatedAt: z.iso.datetime().optional(),
  escalatedItemId: z.string().optional(),
  /** That item's time, when it had no text (a photo, a file): a question sent with it is still answered. */
  escalatedMediaAt: z.iso.datetime().optional(),
  /**
   * The queue that hand-off chose: where the conversation waits, named by later decisions before the
   * hand-off's assignment writes the conversation's queue (a burst of messages routed together).
   */
  escalatedQueue: z.string().optional(),
  /** The conversation's first reply (kept for good): a later reply need not try to record it again. */
  firstResponseAt: z.iso.datetime().optional(),
  /**
   * The customer's messages routing takes (each counted once, by the delivery that wrote it) since the
   * conversation (re)opened or an agent last replied. Until routing hands the conversation to a person,
   * the AI answered every one before the message it routes: the AI's answers in a row. A count that
   * does not parse (a damaged item) reads as none rather than failing the message.
   */
  customerTurns: z.number().int().min(0).optional().catch(undefined),
});
export type ConversationState = z.infer<typeof ConversationStateSchema>;

/** A conversation and its routing state, as one read (or the resolver's touch) returns them. */
export interface ConversationSnapshot {
  conversation: Conversation;
  state: ConversationState;
}

/**
 * How far apart, by the provider's times, two of the customer's messages may be and still be sent
 * together: a photo and the question typed with it (WhatsApp times them to the second).
 */
export const SENT_TOGETHER_MS = 5_000;

/** Whether two items were sent together (`SENT_TOGETHER_MS`). */
export function sentTogether(a: Pick<TimelineItem, 'at'>, b: Pick<TimelineItem, 'at'>): boolean {
  return Math.abs(Date.parse(a.at) - Date.parse(b.at)) <= SENT_TOGETHER_MS;
}

/**
 * Whether the conversation was handed to a person for another message, one without text (a photo, a
 * file) sent together with `item`, which has text. That hand-off gives the photo to a person; it does
 * not decide for the question sent with it, which routing decides as if alone (rule 2's exception).
 */
export function handedOffBeside(
  state: ConversationState,
  item: Pick<TimelineItem, 'id' | 'at' | 'text'>,
): boolean {
  const mediaAt = state.escalatedMediaAt;
  if (!mediaAt || state.escalatedItemId === undefined || state.escalatedItemId === item.id) return false;
  return Boolean(item.text?.trim()) && sentTogether({ at: mediaAt }, item);
}

/**
 * Whether the state covers the whole conversation: it was kept from the conversation's first write.
 * A conversation written before the state existed is incomplete, and its older facts are only those
 * the recent items show.
 */
export function isStateComplete(state: ConversationState): boolean {
  return Boolean(state.stateFrom && state.createdAt && state.stateFrom <= state.createdAt);
}

/** Channels the customer wrote on in this episode before `item` (the item itself left out). */
function channelsBeforeOf(state: ConversationState, item: TimelineItem): Channel[] {
  return (Object.entries(state.inboundSince) as Array<[Channel, string]>)
    .filter(([channel, since]) => since < item.at || (since === item.at && channel !== item.channel))
    .map(([channel]) => channel);
}

/**
 * The routing facts of a conversation from its kept state and the customer's most recent items: the
 * union of both, so the state answers for what lies beyond the recent items and the items for what
 * an older conversation (without a complete state) never recorded. Bounded: no whole timeline.
 */
export function factsFromState(
  state: ConversationState,
  recent: readonly TimelineItem[],
  conversationId: string,
  item: TimelineItem,
): ConversationFacts {
  const seen = conversationFacts(recent, conversationId, item);
  const channelsBefore = [...new Set([...channelsBeforeOf(state, item), ...seen.channelsBefore])];
  const escalated = state.escalatedAt !== undefined && state.escalatedItemId !== item.id;
  // This item took the hand-off before (its run crashed after): the decisions of messages routed with it,
  // which wait for its hand-off, are not an earlier one's, and it hands off again to complete it.
  const tookIt = state.escalatedItemId === item.id && seen.routedTo === 'human';
  // Within an episode an escalation is never undone: every later decision goes to a person too.
  const routedTo = escalated ? 'human' : tookIt ? undefined : seen.routedTo;
  const routedQueue = escalated ? (state.escalatedQueue ?? seen.routedQueue) : seen.routedQueue;
  const aiAnswersInARow = aiAnswersBefore(state);
  return {
    channelsBefore,
    humanReplied: seen.humanReplied || state.humanRepliedAt !== undefined,
    ...(routedTo ? { routedTo } : {}),
    ...(handedOffBeside(state, item) ? { handedOffBeside: true } : {}),
    ...(routedTo === 'human' && routedQueue ? { routedQueue } : {}),
    ...(aiAnswersInARow > 0 ? { aiAnswersInARow } : {}),
  };
}

/**
 * The AI's answers in a row before the message being routed: the customer's turns before it (the
 * touch that placed it counted it). Read only while no person has the conversation (rules 1-2 fire
 * first), when each of those turns got an AI answer.
 */
function aiAnswersBefore(state: ConversationState): number {
  return Math.max(0, (state.customerTurns ?? 0) - 1);
}
