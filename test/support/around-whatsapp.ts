import type { Channel } from '#shared/domain/envelope.js';
import type { ChannelSender, OutboundMessage, SendResult } from '#shared/domain/outbound.js';

type Senders = Partial<Record<Channel, ChannelSender>>;

/**
 * A runtime's `wrapSenders` that puts `around` in front of the WhatsApp sender: it gets each message and
 * the real sender (the outbox's), and fails, refuses or sends as the test has the provider do now.
 */
export function aroundWhatsApp(
  around: (message: OutboundMessage, whatsapp: ChannelSender) => Promise<SendResult>,
): (senders: Senders) => Senders {
  return (senders) => {
    const whatsapp = senders.whatsapp as ChannelSender;
    return { ...senders, whatsapp: { send: (message) => around(message, whatsapp) } };
  };
}
