import type { Channel, Identity } from './envelope.js';
import type { OutboundMessage } from './outbound.js';
import type { ContactState } from './resolver-ports.js';
import type { Conversation, Customer, TimelineItem } from './timeline.js';

/** What sending a reply reads and writes. */
export interface ReplyStore {
  getConversation(conversationId: string): Promise<Conversation | undefined>;
  /** The partitions of the customer's merges (the root first) and the profiles of those that have one. */
  mergedCustomers(customerId: string): Promise<{ partitions: string[]; customers: Customer[] }>;
  /**
   * The contact state a message to the address from our number `from` meets (SMS opt-outs are per
   * number of ours: `contactStateFor`); with no `from`, the latest block toward any of them.
   */
  getContactState(identity: Identity, from?: string): Promise<ContactState | undefined>;
  /**
   * Every contact state of a phone number (its own, one per number of ours it texted STOP or START to),
   * at most `limit` of them, in one read; `complete` false when there were more.
   */
  contactStates?(identity: Identity, limit: number): Promise<{ states: ContactState[]; complete: boolean }>;
  /** Which of the email addresses are suppressed (a permanent bounce, a complaint), in one read. */
  suppressedEmails?(addresses: readonly string[]): Promise<string[]>;
  /**
   * The customer's latest inbound message on a channel (email threading), in one conversation when
   * `conversationId` is given; of email, the latest of the customer's own (`isOwnMail`: no automatic,
   * list or quarantined mail). An email without a subject carries the newest earlier one's as
   * `data.threadSubject` (not stored), for the reply's Subject. With `upTo` (the conversation's
   * `lastInboundAt`), only items at or before it are read: the look starts at the conversation's latest.
   */
  lastInbound(
    customerId: string,
    channel: Channel,
    conversationId?: string,
    upTo?: string,
  ): Promise<TimelineItem | undefined>;
  /**
   * Keeps the reply under its id once, with `requestHash` (the request it was made from); answers the
   * stored one when it was there already, with the hash kept with it (none on a reply stored before).
   */
  putReply(
    message: OutboundMessage,
    requestHash?: string,
  ): Promise<{ message: OutboundMessage; created: boolean; requestHash?: string | undefined }>;
  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean>;
  /** Whether a reply is kept under this id (an `Idempotency-Key`'s): one strongly consistent read. */
  hasReply(replyId: string): Promise<boolean>;
  /**
   * Writes an AI reply's timeline item once at its placed key (`placedAt`), with routing's decision on
   * it, and no item under the reply's id: a redelivery finds the first and gets its message back. With
   * `leaseUntil`, the item is written holding the send lease until then (the sender's claim).
   */
  placeReply(
    message: OutboundMessage,
    routed: Record<string, unknown> | undefined,
    leaseUntil?: string,
  ): Promise<{ message: OutboundMessage; created: boolean }>;
  /** Remembers the agent whose reply was last queued to the customer (assignment prefers them). */
  setLastAgent(customerId: string, agentId: string, at: string): Promise<void>;
  /**
   * Records an agent's reply on the conversation's routing state (the AI stays silent after it), and
   * `agentId` as the last person who answered (the metrics credit them).
   */
  markHumanReplied?(conversationId: string, at: string, agentId?: string): Promise<void>;
  /**
   * Marks the conversation's first reply (for the first-response-time metric) and counts it, owed by the
   * mark's own write (a crash between leaves it owed, not lost); with `answered` (the AI's answer's time)
   * the same write ends the wait and lists the conversation. Answers whether it recorded the answer. With
   * `person` (an agent's reply), their first response too; `responded`: the conversation as read had it.
   */
  recordFirstResponse?(
    conversationId: string,
    at: string,
    answered?: string,
    person?: { responded: boolean },
  ): Promise<boolean | undefined>;
}

/**
 * A send lease the caller's own put took; `nobodyWaiting` when its read of the conversation (the
 * resolver's touch) found no wait, or the AI's first-response write ended it already, so the send
 * records no answer (one write less).
 */
export interface HeldSend {
  leaseUntil: string;
  nobodyWaiting?: boolean | undefined;
}

/**
 * Sends a reply in the invocation that stored it, which holds its send lease for `leaseMs` from the
 * put: `deliver` sends it once and records the outcome, and throws when it let go of the reply (a
 * retryable failure: the lease released) so the caller hands it to the outbound queue.
 */
export interface InlineSend {
  leaseMs: number;
  deliver(message: OutboundMessage, held: HeldSend): Promise<void>;
  /**
   * Completes what follows a refusal `deliver` recorded (`code` its reason) before its invocation died:
   * the wait back and the AI answer's hand-off, each once (the message's redelivery finds it refused).
   */
  settleRefused?(message: OutboundMessage, code: string | undefined): Promise<void>;
}

/**
 * Where replies go to be sent; `delaySeconds` (0 to 900, SQS's DelaySeconds) keeps one from the sender
 * for that long, as after a provider's throttling.
 */
export interface OutboundQueue {
  enqueue(message: OutboundMessage, options?: { delaySeconds?: number | undefined }): Promise<void>;
}
