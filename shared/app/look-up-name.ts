import type { Identity } from '../domain/envelope.js';
import type { ProfileTouch } from '../domain/resolver-ports.js';
import type { Resolving } from './identity-evidence.js';

/** Asks the provider for a customer's name (Meta's profile API); undefined when it gives none. */
export type ProfileNameLookup = (identity: Identity) => Promise<string | undefined>;

/** What one lookup leaves for the profile touch: the name found, if any, and the mark that it was made. */
export interface LookedUpName {
  name?: ProfileTouch['name'];
}

/**
 * The name Meta gives a Messenger or Instagram customer whose profile has none, asked once: only for
 * the customer's own message without a name of its own, and only while the profile holds neither a
 * name nor the mark of an earlier lookup (`nameLookupAt`, written by the touch that follows, found or
 * not). A crash before that touch asks again on the redelivery; no message asks after it. The name
 * is timed as the message, so it takes the provider-name path: an agent's rename or an earlier
 * event's name keeps its place. Undefined when no lookup is made.
 */
export async function lookUpName(
  lookup: ProfileNameLookup | undefined,
  { envelope, customer, profile }: Resolving,
  inbound: boolean,
): Promise<LookedUpName | undefined> {
  if (!lookup || !inbound || envelope.kind !== 'message' || envelope.profileName) return undefined;
  if (customer.kind !== 'messenger' && customer.kind !== 'instagram') return undefined;
  if (profile?.name || profile?.nameLookupAt) return undefined;
  const name = await lookup(customer);
  return name ? { name: { value: name, at: envelope.occurredAt } } : {};
}

/** The name an event carries, when it is the earliest the profile has seen (the profile read says). */
export function nameToKeep({ envelope, profile }: Resolving): ProfileTouch['name'] {
  const name = envelope.kind === 'message' ? envelope.profileName : undefined;
  if (!name) return undefined;
  if (profile?.name && (profile.nameAt === undefined || profile.nameAt <= envelope.occurredAt))
    return undefined;
  return { value: name, at: envelope.occurredAt };
}
