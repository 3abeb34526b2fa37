import type { Envelope, Identity } from '../domain/envelope.js';
import { earlierIdentities, type PhoneOptions } from '../domain/identity.js';
import { followMerges } from '../domain/merge-walks.js';
import type { Clock, IdGenerator } from '../domain/ports.js';
import { isUnauthenticated, unauthenticatedCustomerId } from '../domain/resolution.js';
import type { IdentityHolder, ProfileState, ResolverStore, SentMessage } from '../domain/resolver-ports.js';
import { GoneError } from '../errors.js';
import { isErasedRetry } from './erased-retry.js';
import { meetEarlierMentions } from './identity-evidence.js';

/** What finding an identity's customer needs. */
type ClaimDeps = { store: ResolverStore; clock: Clock; ids: IdGenerator; phone?: PhoneOptions | undefined };

/**
 * Finds the customer behind an identity, creating one on first contact (none for a retry of an erased
 * event: undefined). Concurrent first messages race on a conditional put of the identity; the loser
 * adopts the winner's customer. Unauthenticated mail attaches to nobody: its own customer, by its From.
 */
export async function resolveCustomerClaim(
  deps: ClaimDeps,
  identity: Identity,
  envelope: Envelope,
  unauthenticated = false,
): Promise<(IdentityHolder & { isNew: boolean }) | undefined> {
  if (unauthenticated) return { customerId: unauthenticatedCustomerId(envelope), isNew: false, moved: false };
  const known = await deps.store.findIdentityHolder(identity);
  if (known) return { ...known, isNew: false };
  const earlier = await findEarlierHolder(deps, identity);
  if (earlier) return earlier;
  // A provider's retry of what an erasure took finds no identity: it creates no customer.
  if (await isErasedRetry(deps.store, envelope)) return undefined;
  const fresh = deps.ids.customerId();
  if (await deps.store.claimIdentity(identity, fresh, deps.clock.now().toISOString())) {
    return { customerId: fresh, isNew: true, moved: false };
  }
  const winner = await deps.store.findIdentityHolder(identity, { consistent: true });
  if (!winner) throw new Error('identity claim lost but no holder found');
  return { ...winner, isNew: false };
}

/**
 * The customer an earlier version stored this identity under another form of the same number (a
 * WhatsApp id without Brazil's ninth digit, with Mexico's `1` or Argentina's 9): at most one more read, for those
 * numbers only. The key form is then claimed for them (1 write, once), so their next message finds it
 * in one read; if another claim got there first, its holder is the customer.
 */
async function findEarlierHolder(
  deps: ClaimDeps,
  identity: Identity,
): Promise<{ customerId: string; isNew: false; moved: boolean } | undefined> {
  for (const other of earlierIdentities(identity)) {
    const holder = await deps.store.findIdentityHolder(other);
    if (!holder) continue;
    if (await deps.store.claimIdentity(identity, holder.customerId, deps.clock.now().toISOString())) {
      return { ...holder, isNew: false };
    }
    const winner = await deps.store.findIdentityHolder(identity, { consistent: true });
    return { ...(winner ?? holder), isNew: false };
  }
  return undefined;
}

/**
 * Whose an event is, merges followed: its identity's customer (created on first contact, see
 * resolveCustomerClaim; unauthenticated mail's own, by its From), or for an event about a message we
 * sent (`sent`: a bounce) that message's customer, the identity not claimed (the address a bounce
 * names is nobody's by it). Undefined for a retry of an erased event (a sent message's customer with
 * no profile left was erased: the reply's item goes before the profile; unauthenticated mail whose own
 * customer is a tombstone). On a customer's first event
 * (no profile yet: it is written last, so a crash before it lands here again), whoever mentioned the
 * identity earlier meets them.
 */
export async function eventHolder(
  deps: ClaimDeps,
  customer: Identity,
  envelope: Envelope,
  sent?: SentMessage,
): Promise<{ claim: IdentityHolder; customerId: string; profile: ProfileState | undefined } | undefined> {
  const unauthenticated = isUnauthenticated(envelope);
  const claim = sent
    ? { customerId: sent.customerId, isNew: false, moved: false }
    : await resolveCustomerClaim(deps, customer, envelope, unauthenticated);
  if (!claim) return undefined;
  // A customer erased since their identity was read: the event waits for the identity to be gone,
  // rather than write under the erased id. Not for unauthenticated mail (its customer follows from the
  // event: a redelivery meets the erased marker) nor a bounce (a sent message's customer with no
  // profile left was erased: dropped below).
  const erasedWaits = !sent && !unauthenticated;
  // Unauthenticated mail's customer is its own: erased, the erasure took this very mail (dropped
  // before anything is written, the list entry included).
  const read = (id: string) => deps.store.getProfileState(id, { erasedWaits, erasedGone: unauthenticated });
  // A customer this delivery's claim just made has an id never used before (80 random bits): no profile
  // to read, merged, erased or otherwise. A retry after a crash finds the identity, and reads it.
  const fresh = claim.isNew ? { customerId: claim.customerId, profile: undefined } : undefined;
  const found =
    fresh ??
    (await followMerges(read, claim.customerId).catch((error: unknown) => {
      if (unauthenticated && error instanceof GoneError) return undefined;
      throw error;
    }));
  if (!found) return undefined;
  const { customerId, profile } = found;
  if (sent && !profile) return undefined;
  if (!unauthenticated && (claim.isNew || !profile)) await meetEarlierMentions(deps, customer, customerId);
  return { claim, customerId, profile };
}
