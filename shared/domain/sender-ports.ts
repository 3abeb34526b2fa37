import type { OutboundMessage, SendResult } from './outbound.js';

/** What the sender needs from storage. */
export interface SenderStore {
  claimSend(message: OutboundMessage, now: Date, leaseMs: number): Promise<'claimed' | 'sent' | 'busy'>;
  /** Lets go of a lease written by this holder (`leaseUntil`), which will not send: a no-op otherwise. */
  releaseSend(message: OutboundMessage, leaseUntil: string): Promise<void>;
  recordSent(message: OutboundMessage, result: SendResult, at: string): Promise<void>;
  recordSendFailure(
    message: OutboundMessage,
    reason: { code: string; message: string },
    at: string,
  ): Promise<void>;
}
