import type { Channel, Identity } from './envelope.js';
import type { TimelineItem } from './timeline.js';

/**
 * Channels whose customers can delete (unsend) a message they sent, as the normalisers model it: a
 * WhatsApp `revoke`, an Instagram or Messenger message with `is_deleted`. The deletion finds the message
 * by its provider reference when it has one, else among its customer's timeline items of the last
 * `DELETION_LOOKBACK_MS`; a message written by its key alone keeps no reference for it.
 */
export const DELETABLE_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  'whatsapp',
  'instagram',
  'messenger',
]);

/** Whether a customer's deletion on its channel can name this item (an inbound message). */
export function isDeletable(item: TimelineItem): boolean {
  return (
    item.type === 'message' &&
    item.direction === 'inbound' &&
    item.channel !== undefined &&
    DELETABLE_CHANNELS.has(item.channel)
  );
}

/** A customer's deletion of one of their messages, as the store applies it. */
export interface MessageDeletion {
  channel: Channel;
  /** The provider id of the message deleted. */
  targetMessageId: string;
  /** The customer who deleted it: only their own message is redacted. */
  customerId: string;
  /** The identity they deleted it from: its next messages read a deletion that came first. */
  identity: Identity;
  /** When the deletion was received: its marks' time and expiry. */
  at: string;
  /**
   * When the customer deleted it, by the provider's time (as the timeline's deletion item is): the
   * `deletedAt` the message, its edits and its reference keep, and `message.deleted` tells; `at` when absent.
   */
  deletedAt?: string | undefined;
}

/** The time a deletion stamps on what it redacts: the provider's (`deletedAt`), else its receipt's. */
export const deletionStamp = (deletion: Pick<MessageDeletion, 'at' | 'deletedAt'>): string =>
  deletion.deletedAt ?? deletion.at;

/** What a deletion did: redacted the stored message, marked its reference for it, or nothing. */
export type DeletionOutcome = 'redacted' | 'marked' | 'not-theirs' | 'erased';

/** How long a deletion that came before its message is kept for the message (a provider's retries). */
export const DELETION_MARKER_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * How far back of its own time a deletion looks for its message on its customer's timeline: a week
 * (WhatsApp lets a message be deleted for everyone for about two days; a provider retries a delivery
 * for up to a week).
 */
export const DELETION_LOOKBACK_MS = DELETION_MARKER_TTL_MS;

/**
 * How long after a deletion that came before its message (it marked the reference and the identity) the
 * resolver looks for the message once more: a message of the same sender processed at the same moment
 * may have read its identity before the mark and be written after the deletion's looks. Such a message
 * is written within its own invocation, which runs at most 30 s (the resolver's timeout): the later look
 * finds it. One look only (the envelope's `markedAt` says it is that look); SQS delays up to 900 s.
 */
export const DELETION_RELOOK_DELAY_S = 60;

/**
 * Whether a message's reference must be linked for a deletion that came before it: one from the same
 * sender marked their identity (`deletionMarkedUntil`, the mark's expiry) and has not expired, so the
 * message reads the mark in that write and is stored without its words.
 */
export function deletionPending(
  envelope: { channel: Channel; receivedAt: string },
  deletionMarkedUntil: string | undefined,
): boolean {
  const until = deletionMarkedUntil;
  return DELETABLE_CHANNELS.has(envelope.channel) && until !== undefined && until > envelope.receivedAt;
}

/** When a deletion first marked at `at` stops being waited for (the mark's `ttl`, as an ISO time). */
export function deletionMarkedUntil(at: string): string {
  return new Date(Date.parse(at) + DELETION_MARKER_TTL_MS).toISOString();
}

/** The message as stored once its customer deleted it: ids, time and place kept; words and files gone. */
export function redactedMessage(item: TimelineItem, deletedAt: string): TimelineItem {
  const { text: _text, attachments: _attachments, data: _data, ...kept } = item;
  return { ...kept, deleted: true, deletedAt };
}
