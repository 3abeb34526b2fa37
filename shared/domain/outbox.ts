import type { OutboundMessage } from './outbound.js';

/** A message the local runtime "sent" with no provider credentials: what a provider would have received. */
export interface OutboxEntry {
  providerMessageId: string;
  sentAt: string;
  message: OutboundMessage;
  /**
   * The reply's key the provider would hand back on each status (WhatsApp `biz_opaque_callback_data`,
   * Twilio's `reply` callback parameter), when the channel carries one: post it back with a status.
   */
  replyKey?: string;
}

/** Reads what was "sent" locally, so an agent can see it without provider credentials. */
export interface Outbox {
  /** Everything sent, oldest first. */
  entries(): OutboxEntry[];
}
