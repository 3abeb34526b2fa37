import type { AgentStore } from '../domain/agent-ports.js';
import type { Channel } from '../domain/envelope.js';
import type { Clock } from '../domain/ports.js';
import {
  type ChannelOption,
  channelOption,
  lastInboundOn,
  refusalOf,
  standingBlock,
} from '../domain/replies.js';
import { replyTextLimit } from '../domain/reply-length.js';
import type { ReplyStore } from '../domain/reply-ports.js';
import type { Customer } from '../domain/timeline.js';
import { existingCustomer } from './read-customer.js';
import { type ReplyDestination, replyDestination } from './reply-destination.js';

/** The channels a reply could take: those the customer wrote on (a caller is answered by SMS), the last one first. */
function candidateChannels(root: Customer, profiles: readonly Customer[]): Channel[] {
  const all = [root.lastInboundChannel, ...profiles.flatMap((p) => p.channels)]
    .filter((c): c is Channel => c !== undefined)
    .map((c) => (c === 'voice' ? 'sms' : c));
  return [...new Set(all)];
}

/**
 * Which channels a reply to the customer may use now, and why not, by the rules a reply is checked
 * against (windows, STOP, suppression, Messenger's tag), and the longest text each takes from this
 * customer (`replyTextLimit`): what the console's reply box shows before typing.
 * Each is checked at the address a reply would go to (replyDestination: email's Reply-To).
 */
export async function listReplyChannels(
  deps: {
    store: Pick<AgentStore, 'getCustomer'>;
    replies: { store: Pick<ReplyStore, 'mergedCustomers' | 'getContactState' | 'lastInbound'> };
    clock: Clock;
  },
  customerId: string,
): Promise<ChannelOption[]> {
  await existingCustomer(deps, customerId);
  const { partitions, customers: profiles } = await deps.replies.store.mergedCustomers(customerId);
  const root = profiles.find((c) => c.id === partitions[0]) ?? profiles[0];
  if (!root) return [];
  const now = deps.clock.now();
  return Promise.all(
    candidateChannels(root, profiles).map(async (channel): Promise<ChannelOption> => {
      let destination: ReplyDestination;
      try {
        destination = await replyDestination(
          deps.replies.store,
          { customer: root, partitions, profiles },
          channel,
        );
      } catch (error) {
        return { channel, available: false, ...refusalOf(error) };
      }
      const { to, latestEmails } = destination;
      const state = await deps.replies.store.getContactState(to);
      const option = channelOption({
        channel,
        now,
        lastInboundAt: lastInboundOn(profiles, channel),
        blocked: standingBlock(state, to, latestEmails),
      });
      const maxLength = replyTextLimit(channel, root);
      return maxLength === undefined ? option : { ...option, maxLength };
    }),
  );
}
