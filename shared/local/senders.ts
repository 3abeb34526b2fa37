import { configuredSenders } from '../channels/senders.js';
import type { Config } from '../config/config.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender } from '../domain/outbound.js';
import type { LocalOutbox } from './outbox.js';

/**
 * The local runtime's senders: the real provider adapter where its credentials are configured, the
 * local outbox everywhere else, so a developer with no accounts can still reply on every channel.
 */
export function localSenders(config: Config, outbox: LocalOutbox): Partial<Record<Channel, ChannelSender>> {
  const sender = outbox.sender();
  return {
    whatsapp: sender,
    sms: sender,
    voice: sender,
    messenger: sender,
    instagram: sender,
    email: sender,
    ...configuredSenders(config),
  };
}
