import type { ChannelSender, OutboundMessage, SendResult } from '#shared/domain/outbound.js';
import { PermanentSendError } from '#shared/domain/send-errors.js';

/**
 * Twilio standing in: refuses with 21610 an SMS to the numbers that texted STOP to it (`unsubscribed`,
 * perhaps a STOP we never saw), takes the rest.
 */
export class TwilioStandIn implements ChannelSender {
  readonly unsubscribed = new Set<string>();
  readonly sent: OutboundMessage[] = [];

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.channel === 'sms' && this.unsubscribed.has(message.to.value)) {
      throw new PermanentSendError('the customer replied STOP to this number (Twilio error 21610)', '21610');
    }
    this.sent.push(message);
    return { providerMessageId: `SMout${String(this.sent.length).padStart(29, '0')}` };
  }
}
