import { ConflictError, UnprocessableError } from '../errors.js';
import type { Channel } from './envelope.js';
import { ADDRESS_KIND } from './replies.js';
import type { Customer } from './timeline.js';

/** The channel a reply takes for one the customer reached us on: a caller is answered by text on the same number. */
const answeredOn = (channel: Channel): Channel => (channel === 'voice' ? 'sms' : channel);

/**
 * The channels a reply to the customer could take: the one they last wrote on first, then every channel
 * a profile of their merged group has an event on (a call's: SMS). What `GET /api/customers/{id}/channels`
 * checks, and what a reply naming no channel chooses from.
 */
export function replyCandidates(
  root: Pick<Customer, 'lastInboundChannel' | 'channels'>,
  profiles: readonly Pick<Customer, 'channels'>[] = [root],
): Channel[] {
  const all = [root.lastInboundChannel, ...profiles.flatMap((p) => p.channels)]
    .filter((c): c is Channel => c !== undefined)
    .map(answeredOn);
  return [...new Set(all)];
}

/**
 * The channel a reply goes out on: the one asked for; else the customer's most recent inbound one; else,
 * for a customer who has not written (a caller whose calls were missed, who hung up at the beep), the one
 * channel they reached us on. With several, or none, 422 `no_channel`, naming the channels to choose from.
 */
export function replyChannel(
  customer: Customer,
  requested: Channel | undefined,
  profiles: readonly Customer[] = [customer],
): Channel {
  if (requested) return answeredOn(requested);
  const candidates = replyCandidates(customer, profiles);
  const [first] = candidates;
  if (first && (customer.lastInboundChannel !== undefined || candidates.length === 1)) return first;
  const choices = candidates.length > 0 ? candidates : addressedChannels(customer);
  const name = choices.length > 0 ? `name a channel: ${choices.join(' or ')}` : 'name a channel';
  throw new UnprocessableError(`the customer has never written to us: ${name}`, 'no_channel');
}

/**
 * The channel a reply naming none goes on when the default (`without`) cannot take it in this
 * conversation (a web chat of a visitor merged in who did not write here, see webchatAddress): of the
 * other channels a reply could take (replyCandidates), the one the customer wrote on last (a call's:
 * SMS); undefined when there is none.
 */
export function nextReplyChannel(
  root: Customer,
  profiles: readonly Customer[],
  without: Channel,
): Channel | undefined {
  const latest = (channel: Channel): string =>
    profiles
      .flatMap((p) => Object.entries(p.lastInboundByChannel ?? {}))
      .filter(([wrote]) => answeredOn(wrote as Channel) === channel)
      .reduce((at, [, when]) => (when && when > at ? when : at), '');
  const others = replyCandidates(root, profiles).filter((channel) => channel !== without);
  return others.reduce<Channel | undefined>(
    (best, channel) => (best === undefined || latest(channel) > latest(best) ? channel : best),
    undefined,
  );
}

/** The channels the customer has an address on (a phone: SMS and WhatsApp), for one who reached us on none. */
function addressedChannels(customer: Customer): Channel[] {
  const kinds = new Set(customer.identities.map((identity) => identity.kind));
  return (Object.keys(ADDRESS_KIND) as Channel[]).filter(
    (channel) => channel !== 'voice' && ADDRESS_KIND[channel].some((kind) => kinds.has(kind)),
  );
}

/**
 * Refuses (409 `channel_not_available`) a channel the customer cannot be reached on: one that is not
 * among those `GET /api/customers/{id}/channels` offers (`replyCandidates`), such as SMS to someone who
 * only ever wrote on WhatsApp, which would text a person who never texted us. A customer who reached us
 * on no channel yet (`no_channel` names theirs) may be written on any channel their identities address;
 * a channel they have no address on at all is left to `no_address`.
 */
export function checkReachable(
  customer: Customer,
  channel: Channel,
  profiles: readonly Customer[] = [customer],
): void {
  const candidates = replyCandidates(customer, profiles);
  if (candidates.length === 0 || candidates.includes(channel)) return;
  // No address there at all: `no_address` (422) says so when the reply is addressed.
  const kinds = ADDRESS_KIND[channel];
  if (!profiles.some((p) => p.identities.some((identity) => kinds.includes(identity.kind)))) return;
  throw new ConflictError(
    `the customer cannot be reached on ${channel}: they wrote to us on ${candidates.join(', ')} only (GET /api/customers/{id}/channels)`,
    'channel_not_available',
  );
}
