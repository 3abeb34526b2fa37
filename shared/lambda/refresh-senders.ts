import type { Channel } from '../domain/envelope.js';
import type { ChannelSender } from '../domain/outbound.js';
import { CredentialsRefusedError } from '../domain/send-errors.js';
import { logger } from '../log.js';
import { rebuildAtMostOnceAMinute } from './refresh-on-refusal.js';

type Senders = Partial<Record<Channel, ChannelSender>>;

/**
 * The sender's provider adapters, built again from the secret read anew when a provider refuses our
 * credentials (CredentialsRefusedError), at most once a minute per container, as the webhooks do on a
 * refused signature (`refreshOnRefusal`): after a token is renewed, a warm container still holds the old
 * one. The refused send is then tried once more with the rebuilt adapter: the provider took nothing
 * the first time, so the reply goes out once. A rebuild that fails, or a refusal within the minute,
 * answers the refusal (the queue retries the reply); the rebuilt adapters serve from then on.
 */
export function refreshOnCredentialsRefused(
  first: Senders,
  rebuild: () => Promise<Senders>,
  now: () => number = Date.now,
): Senders {
  let current = first;
  const again = rebuildAtMostOnceAMinute(rebuild, 'secret not read again after refused credentials', now);
  const refreshed = async (channel: Channel, refusal: CredentialsRefusedError) => {
    const rebuilt = await again({ channel });
    if (!rebuilt) return undefined;
    current = rebuilt;
    logger.info('secret read again after refused credentials', {
      channel,
      providerCode: refusal.providerCode,
    });
    return current[channel];
  };
  const senders: Senders = {};
  for (const channel of Object.keys(first) as Channel[]) {
    senders[channel] = {
      async send(message) {
        const sender = current[channel] ?? first[channel];
        if (!sender) throw new Error(`no ${channel} sender`);
        try {
          return await sender.send(message);
        } catch (error) {
          if (!(error instanceof CredentialsRefusedError)) throw error;
          const fresh = await refreshed(channel, error);
          if (!fresh) throw error;
          return fresh.send(message);
        }
      },
    };
  }
  return senders;
}
