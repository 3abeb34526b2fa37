import type { OutboundMessage } from './outbound.js';

/** A message the local runtime "sent" with no provider credentials: what a provider would have received. */
export interface OutboxEntry {
  providerMessageId: string;
  sentAt: string;
  message: OutboundMessage;
}

/** Reads what was "sent" locally, so an agent can see it without provider credentials. */
export interface Outbox {
  /** Everything sent, oldest first. */
  entries(): OutboxEntry[];
}
