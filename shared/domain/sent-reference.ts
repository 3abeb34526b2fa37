import type { Channel, DeliveryStatus } from './envelope.js';

/** A receipt that names no message, only a time: everything sent on the channel at or before `at`. */
export interface WatermarkReceipt {
  channel: Channel;
  /** The watermark. */
  at: string;
  status: DeliveryStatus;
  /** When the receipt happened (the status's time on the messages). */
  statusAt: string;
}

/** How a provider's event names a message we sent: its provider id, and the reply's key if handed back. */
export interface SentReference {
  channel: Channel;
  providerMessageId: string;
  replyKey?: string | undefined;
}

/** Whose a message we sent is: the customer (as the reply was written, before any merge) and conversation. */
export interface SentMessage {
  customerId: string;
  conversationId?: string | undefined;
}
