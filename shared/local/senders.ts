import type { Config } from '../config/config.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender } from '../domain/outbound.js';
import type { LocalOutbox } from './outbox.js';

/**
 * The local runtime's senders: the local outbox for every channel. Real provider adapters replace it
 * channel by channel as their credentials are configured (see the sender function's wiring).
 */
export function localSenders(_config: Config, outbox: LocalOutbox): Partial<Record<Channel, ChannelSender>> {
  const sender = outbox.sender();
  return {
    whatsapp: sender,
    sms: sender,
    voice: sender,
    messenger: sender,
    instagram: sender,
    email: sender,
  };
}
