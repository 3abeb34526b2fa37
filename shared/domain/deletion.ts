import type { Channel } from './envelope.js';
import type { TimelineItem } from './timeline.js';

/**
 * Channels whose customers can delete (unsend) a message they sent, as the normalisers model it: a
 * WhatsApp `revoke`, an Instagram or Messenger message with `is_deleted`. Their inbound messages keep a
 * provider reference (`MESSAGE#<channel>#<id>`), so the deletion finds the message with one read.
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
  /** When the deletion was received. */
  at: string;
}

/** What a deletion did: redacted the stored message, marked its reference for it, or nothing. */
export type DeletionOutcome = 'redacted' | 'marked' | 'not-theirs' | 'erased';

/** How long a deletion that came before its message is kept for the message (a provider's retries). */
export const DELETION_MARKER_TTL_MS = 7 * 24 * 3600 * 1000;

/** The message as stored once its customer deleted it: ids, time and place kept; words and files gone. */
export function redactedMessage(item: TimelineItem, deletedAt: string): TimelineItem {
  const { text: _text, attachments: _attachments, data: _data, ...kept } = item;
  return { ...kept, deleted: true, deletedAt };
}
