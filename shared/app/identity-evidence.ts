import { isQuietInbound } from '../domain/conversation.js';
import { isOwnMail } from '../domain/email-reply.js';
import type { Envelope, Identity } from '../domain/envelope.js';
import { identityToken, type PhoneOptions } from '../domain/identity.js';
import {
  MENTION_PEERS_MAX,
  mayRecordMention,
  mentionedIdentities,
  replyToIdentities,
} from '../domain/mentions.js';
import type { Clock } from '../domain/ports.js';
import { isUnauthenticated } from '../domain/resolution.js';
import type { OncePlacement, ProfileState, ResolverStore, ThreadLink } from '../domain/resolver-ports.js';
import type { SuggestionEvidence } from '../domain/suggestions.js';
import { typedIdentities } from '../domain/webchat/envelopes.js';

/** What claiming identities and recording evidence need: the resolver's store, and phone parsing. */
type EvidenceDeps = {
  store: Pick<
    ResolverStore,
    | 'mentionsOf'
    | 'mentionersOf'
    | 'putSuggestion'
    | 'findCustomerId'
    | 'claimIdentity'
    | 'putMention'
    | 'takeOverErasedIdentity'
  >;
  phone?: PhoneOptions | undefined;
  /** The time a suggestion is raised at (its `createdAt`): the runtime's clock, moved by `npm run clock` too. */
  clock: Clock;
};

const now = (deps: EvidenceDeps) => deps.clock.now().toISOString();

/** The event of a known customer, as the steps of resolving it pass it on. */
export interface Resolving {
  envelope: Envelope;
  /** The identity the event came from (or concerns). */
  customer: Identity;
  customerId: string;
  profile: ProfileState | undefined;
  now: string;
  /** How its timeline item is written once. */
  once: OncePlacement;
  /** The conversation of the message we sent that the event is about (a bounce's): it goes there. */
  sentIn?: string | undefined;
  /** The newest edit from its identity that came before its message (`editsHeld`): its time. */
  editHeldAt?: string | undefined;
}

/** A customer just claimed an identity: suggestions for everyone who mentioned it before. */
export async function meetEarlierMentions(
  deps: EvidenceDeps,
  identity: Identity,
  customerId: string,
): Promise<void> {
  for (const mention of await deps.store.mentionsOf(identity)) {
    if (mention.customerId !== customerId) {
      await deps.store.putSuggestion(mention.customerId, customerId, mention.evidence, now(deps));
    }
  }
}

/**
 * Other identities in the same payload (a WhatsApp number and its BSUID) join this customer only if
 * nobody holds them, or an erased customer does (see `takeOverErasedIdentity`); one held by someone
 * else becomes a suggestion for an agent.
 */
export async function claimOtherIdentities(
  deps: EvidenceDeps,
  { envelope, customer, customerId, now }: Resolving,
): Promise<{ identities: Identity[]; contested: Identity[] }> {
  // Unauthenticated mail owns no identity: its From address is evidence for a suggestion at most.
  const own = !isUnauthenticated(envelope);
  const identities: Identity[] = own ? [customer] : [];
  const contested: Identity[] = own ? [] : [customer];
  for (const identity of envelope.kind === 'message' ? envelope.alsoKnownAs : []) {
    const holder = await deps.store.findCustomerId(identity);
    // One an erased customer holds was claimed for them after their erasure took their identities.
    const ours =
      holder === customerId ||
      (holder === undefined
        ? await deps.store.claimIdentity(identity, customerId, now)
        : await deps.store.takeOverErasedIdentity(identity, holder, customerId, now));
    if (ours) {
      identities.push(identity);
      if (holder !== customerId) await meetEarlierMentions(deps, identity, customerId);
    } else {
      contested.push(identity);
    }
  }
  return { identities, contested };
}

/**
 * Claims an identity for a customer (a WhatsApp user id's change), or takes it over from an erased
 * holder (see `takeOverErasedIdentity`): whether it is theirs now. One read more when the claim fails.
 */
export async function claimOrTakeOver(
  deps: EvidenceDeps,
  identity: Identity,
  customerId: string,
  now: string,
): Promise<boolean> {
  if (await deps.store.claimIdentity(identity, customerId, now)) return true;
  const holder = await deps.store.findCustomerId(identity);
  if (!holder || holder === customerId) return false;
  return deps.store.takeOverErasedIdentity(identity, holder, customerId, now);
}

/** Turns the identities a payload or a text names into suggestions, never into merges. */
export async function recordEvidence(
  deps: EvidenceDeps,
  { envelope, customerId, profile }: Resolving,
  own: readonly Identity[],
  also: readonly Identity[],
): Promise<Identity[]> {
  const ownTokens = new Set(own.map(identityToken));
  const text = envelope.kind === 'message' && envelope.direction === 'inbound' ? envelope.text : undefined;
  // Automatic, list and quarantined mail speaks for no one: a bounce names the address it could not
  // deliver to, an out-of-office a colleague, a newsletter anyone. What it names is no evidence.
  const mentioned = isOwnMail(envelope)
    ? [...mentionedIdentities(text, deps.phone ?? {}), ...replyToIdentities(envelope)]
    : [];
  const evidence: Array<{ identity: Identity; reason: SuggestionEvidence['reason'] }> = [
    ...also.map((identity) => ({ identity, reason: 'same_payload' as const })),
    // Typed first: the pre-chat email, also written in the message, is still only what a stranger typed.
    ...typedIdentities(envelope).map((identity) => ({ identity, reason: 'typed_in_chat' as const })),
    ...mentioned.map((identity) => ({ identity, reason: 'mentioned' as const })),
  ];
  const recorded: Identity[] = [];
  const known = [...(profile?.mentioned ?? [])];
  for (const { identity, reason } of evidence) {
    const token = identityToken(identity);
    // An address both written in the text and named in Reply-To is one piece of evidence.
    if (ownTokens.has(token) || recorded.some((r) => identityToken(r) === token)) continue;
    if (!mayRecordMention(known, token)) continue;
    const firstMention = !known.includes(token);
    if (firstMention) known.push(token);
    recorded.push(identity);
    const item: SuggestionEvidence = {
      id: `${envelope.id}#${token}`,
      identity,
      reason,
      at: envelope.occurredAt,
      envelopeId: envelope.id,
    };
    // The mention is kept even when nobody holds the identity yet: whoever claims it later
    // meets the suggestion then, so the outcome does not depend on arrival order.
    await deps.store.putMention(identity, customerId, item);
    const holder = await deps.store.findCustomerId(identity);
    if (holder && holder !== customerId) await deps.store.putSuggestion(customerId, holder, item, now(deps));
    // Nobody holds it: the others who wrote it are who it may be (once per customer and identity).
    else if (!holder && firstMention) await meetOtherMentioners(deps, customerId, item, profile?.mergedFrom);
  }
  return recorded;
}

/**
 * A customer first mentioned an identity nobody holds: a suggestion with each other customer who
 * mentioned it (whichever wrote first: each writes its mention before this read), carrying both
 * messages as evidence. One strongly consistent Query of at most MENTION_PEERS_MAX + 2 items (the
 * customer's own, the others met, one more to know there are more); none of them met when more than
 * MENTION_PEERS_MAX others mentioned it (see MENTION_PEERS_MAX), nor those already merged with them.
 */
async function meetOtherMentioners(
  deps: EvidenceDeps,
  customerId: string,
  item: SuggestionEvidence,
  merged: readonly string[] | undefined,
): Promise<void> {
  if (!deps.store.mentionersOf) return;
  const mentioners = await deps.store.mentionersOf(item.identity, MENTION_PEERS_MAX + 2);
  const others = mentioners.filter((m) => m.customerId !== customerId);
  if (others.length > MENTION_PEERS_MAX) return;
  for (const other of others) {
    if (merged?.includes(other.customerId)) continue;
    await deps.store.putSuggestion(customerId, other.customerId, item, now(deps));
    if (other.evidence)
      await deps.store.putSuggestion(customerId, other.customerId, other.evidence, now(deps));
  }
}

/**
 * Mail that answers the email thread of another customer's conversation (a colleague in Cc answering
 * all, the customer writing from a second address) names a Message-ID only its recipients saw: the
 * two customers may be one, or work together. A suggestion for an agent, never a merge; the mail stays
 * its sender's. Only a person's own mail from a vouched-for From counts (`speaksForSender`). Keyed on
 * the envelope, so a redelivery adds nothing (2 writes, no read).
 */
export async function meetThreadOwner(
  deps: EvidenceDeps,
  { envelope, customer, customerId, profile }: Resolving,
  thread: ThreadLink | undefined,
): Promise<void> {
  if (!thread || thread.customerId === customerId) return;
  if (!speaksForSender(envelope)) return;
  // Already one customer (a merge kept the thread under the customer merged in): nothing to suggest.
  if (profile?.mergedFrom?.includes(thread.customerId)) return;
  const evidence: SuggestionEvidence = {
    id: `${envelope.id}#thread`,
    identity: customer,
    reason: 'same_thread',
    at: envelope.occurredAt,
    envelopeId: envelope.id,
    conversationId: thread.conversationId,
  };
  await deps.store.putSuggestion(customerId, thread.customerId, evidence, now(deps));
}

/**
 * Whether an inbound mail is evidence about the person behind its From: not automatic nor `automated` (an
 * out-of-office answers whatever thread it is sent, so it tells nothing about who is one person), not
 * quarantined, and its From vouched for (`fromUnverified` unset: a DMARC failure, or no DMARC verdict
 * and no aligned SPF pass, could be anyone writing in that name).
 */
function speaksForSender(envelope: Envelope): boolean {
  if (envelope.kind !== 'message' || envelope.direction !== 'inbound') return false;
  if (isUnauthenticated(envelope) || isQuietInbound(envelope)) return false;
  // A system's mail for a person (`automated`: a ticketing system, a group) is not one person's either.
  return envelope.data?.fromUnverified === undefined && envelope.data?.automated !== true;
}
