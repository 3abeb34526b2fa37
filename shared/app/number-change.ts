import type { Envelope, Identity } from '../domain/envelope.js';
import { identityToken } from '../domain/identity.js';
import { calledBusinessPhone, smsBusinessPhone } from '../domain/resolution.js';
import type { ProfileTouch, ResolverStore } from '../domain/resolver-ports.js';
import type { WhatsappSender } from '../domain/whatsapp-sender.js';
import { claimOrTakeOver, meetEarlierMentions, type Resolving } from './identity-evidence.js';

type ChangeDeps = Parameters<typeof claimOrTakeOver>[0] & {
  store: Pick<ResolverStore, 'findCustomerId' | 'releaseIdentity'>;
};

/**
 * A WhatsApp number change (`user_changed_number`: `from` the old number, `wa_id` the new): the new
 * number, when both are phones. Meta sends it when the person changed the number their WhatsApp runs
 * on, so the old one is no longer theirs (`user_changed_user_id`, a BSUID's change, is not one).
 */
export function numberChangeOf(envelope: Envelope): Identity | undefined {
  if (envelope.kind !== 'system' || envelope.channel !== 'whatsapp') return undefined;
  const to = envelope.newIdentity;
  return to?.kind === 'phone' && envelope.customer?.kind === 'phone' ? to : undefined;
}

/**
 * Whose a WhatsApp system notice (a number change, a new user id, a new security key) is: its sender's,
 * the old number's customer; a number change once applied (the old number released, a provider's retry)
 * the new number's, so a redelivery finds the same customer and places nothing twice. Undefined when the
 * sender is nobody's and so is the new identity: the notice of someone never seen, which makes no
 * customer. Any other event: its sender. One or two identity reads, for system notices only.
 */
export async function systemNoticeSender(
  deps: ChangeDeps,
  envelope: Envelope,
): Promise<Identity | undefined> {
  const from = envelope.customer;
  if (envelope.kind !== 'system' || envelope.event !== 'identity_changed' || !from) return from;
  if (await deps.store.findCustomerId(from)) return from;
  const to = envelope.newIdentity;
  if (!to || !(await deps.store.findCustomerId(to))) return undefined;
  return numberChangeOf(envelope) ? to : from;
}

/**
 * Claims an identity change's new identity (a WhatsApp user id's or number's) for the customer:
 * `identities` gains it when it is theirs (claimed now, or before: a retry). Whether it is theirs.
 */
async function claimNewIdentity(
  deps: ChangeDeps,
  { envelope, customerId, now }: Resolving,
  identities: Identity[],
): Promise<boolean> {
  if (envelope.kind !== 'system' || !envelope.newIdentity) return false;
  const to = envelope.newIdentity;
  if (await claimOrTakeOver(deps, to, customerId, now)) {
    identities.push(to);
    await meetEarlierMentions(deps, to, customerId);
    return true;
  }
  // Theirs already: a retry after a crash before the profile showed it shows it now.
  if ((await deps.store.findCustomerId(to, { consistent: true })) !== customerId) return false;
  identities.push(to);
  return true;
}

/** The old number a number change releases: the identity it came from, unless that is the new one (a retry). */
function releasedNumber({ envelope, customer }: Resolving): Identity | undefined {
  const to = numberChangeOf(envelope);
  return to && identityToken(to) !== identityToken(customer) ? customer : undefined;
}

/**
 * What an identity change gives the profile touch: the identities it adds (the new one when claimed
 * now; a number change's old number left out, released after the touch), that old number, and the
 * WhatsApp sender replies go to (a number change's new number only when it is theirs).
 */
export async function claimChangedIdentity(
  deps: ChangeDeps,
  resolving: Resolving,
  claimed: { identities: Identity[] },
  placed: { whatsapp?: WhatsappSender | undefined },
): Promise<{ identities: Identity[]; released: Identity | undefined; whatsapp: WhatsappSender | undefined }> {
  const released = releasedNumber(resolving);
  const identities = released
    ? claimed.identities.filter((i) => identityToken(i) !== identityToken(released))
    : claimed.identities;
  const changedTo = await claimNewIdentity(deps, resolving, identities);
  const whatsapp = resolving.envelope.kind === 'system' && !changedTo ? undefined : placed.whatsapp;
  return { identities, released, whatsapp };
}

/** The numbers replies go to that an event sets on the profile: WhatsApp's sender, an SMS's. */
export function lastNumbers(
  { envelope, customer, profile }: Resolving,
  inbound: boolean,
  whatsapp: WhatsappSender | undefined,
): Pick<ProfileTouch, 'whatsappAddress' | 'whatsappProvider' | 'smsAddress' | 'smsBusinessNumber'> {
  const sms = inbound && envelope.channel === 'sms' && customer.kind === 'phone';
  // And the number of ours it was sent to, which SMS replies go from; for a caller who never texted
  // (their profile keeps no SMS number), the number of ours they called: a call is answered by SMS.
  const called =
    !profile?.smsAddress && customer.kind === 'phone' ? calledBusinessPhone(envelope) : undefined;
  const business = sms ? smsBusinessPhone(envelope) : called;
  return {
    ...(whatsapp ? { whatsappAddress: whatsapp.address, whatsappProvider: whatsapp.provider } : {}),
    ...(sms ? { smsAddress: customer.value } : {}),
    ...(business ? { smsBusinessNumber: business } : {}),
  };
}

/**
 * After the profile touch: the old number leaves the profiles that show it (the identity's holder's and
 * the customer's it was merged into), then is nobody's (one strong read of its holder, first), so whoever has it next is a customer of their
 * own and replies never go there. Every step is conditional: a retry repeats them harmlessly.
 */
export async function releaseOldNumber(deps: ChangeDeps, resolving: Resolving, old: Identity): Promise<void> {
  // The customer its item names (a customer merged away, when not re-pointed): one strong read.
  const holder = (await deps.store.findCustomerId(old, { consistent: true })) ?? resolving.customerId;
  await deps.store.releaseIdentity(old, holder, [holder, resolving.customerId]);
}
