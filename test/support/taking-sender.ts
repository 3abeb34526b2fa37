import type { ChannelSender, OutboundMessage, SendResult } from '#shared/domain/outbound.js';

/** A provider standing in that takes every message, keeping what it was asked to send (`sent`). */
export class TakingSender implements ChannelSender {
  readonly sent: OutboundMessage[] = [];
  async send(message: OutboundMessage): Promise<SendResult> {
    this.sent.push(message);
    return { providerMessageId: `SMout${String(this.sent.length).padStart(29, '0')}` };
  }
}
