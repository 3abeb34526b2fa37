import type { OutboundMessage, SendResult } from './outbound.js';

/** What the sender needs from storage. */
export interface SenderStore {
  claimSend(message: OutboundMessage, now: Date, leaseMs: number): Promise<'claimed' | 'sent' | 'busy'>;
  recordSent(message: OutboundMessage, result: SendResult, at: string): Promise<void>;
  recordSendFailure(
    message: OutboundMessage,
    reason: { code: string; message: string },
    at: string,
  ): Promise<void>;
}
