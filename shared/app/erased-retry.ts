import type { Channel, Envelope, Provider } from '../domain/envelope.js';
import { onceReference, toTimelineItem } from '../domain/resolution.js';
import type { IdentityHolder, ProfileState, ResolverStore, SentMessage } from '../domain/resolver-ports.js';
import { loggedId } from '../log.js';

type Log = (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;

/** A provider's retry of an event an erasure took: dropped as seen, logged by ids only. */
export function droppedAsErased(deps: { log?: Log | undefined }, envelope: Envelope): { written: false } {
  deps.log?.('info', 'retry of an erased event dropped', {
    channel: envelope.channel,
    envelopeId: loggedId(envelope.id),
  });
  return { written: false };
}

/**
 * Whether an event is a provider's retry of one an erasure took, or news of a call it took: the erasure
 * left a content-free marker for its provider reference. One read (of the marker, and of the reference
 * itself, where erasures before the markers were hashed left theirs, in one BatchGetItem), made before
 * a customer would be created for the event.
 */
export async function isErasedRetry(
  store: Pick<ResolverStore, 'erasedMessage'>,
  envelope: Envelope,
): Promise<boolean> {
  if (envelope.kind === 'status') return false;
  const reference = erasableReference(envelope);
  return reference ? store.erasedMessage(reference.channel, reference.id) : false;
}

/**
 * The reference whose marker tells that an erasure took the event. A call's is the call's own id
 * (its CallSid), which the erasure marked for each of the call's items (`providerReferencesOf`): what
 * Twilio sends about the call afterwards (its end or miss, the recording, its transcript) is about what
 * the erasure took, not a new word from the person, and each has an id of its own no marker holds.
 */
function erasableReference(envelope: Envelope): { channel: Channel; id: string } | undefined {
  if (envelope.kind === 'call') return { channel: envelope.channel, id: envelope.callId };
  return onceReference(toTimelineItem(envelope, '', ''));
}

/**
 * How long after an event a provider may deliver it again timed anew (our receive time: Twilio gives
 * none, Graph's `changes` and a WhatsApp event without a timestamp): its webhook's retries. Twilio
 * retries within minutes, SNS (SES) within an hour here and six on AWS (Lambda's), Graph for 36 hours,
 * the Cloud API for 7 days; a web-chat visitor's send after an erasure has no session to come through.
 * Twilio's news of a call (its end, recording, transcript) comes within minutes too: a call records at
 * most 120 s (twiml.ts).
 */
const RESEND_SPAN_MS: Record<Provider, number> = {
  twilio: 60 * 60 * 1000,
  ses: 6 * 60 * 60 * 1000,
  meta: 36 * 60 * 60 * 1000,
  whatsapp: 7 * 24 * 60 * 60 * 1000,
  webchat: 0,
};

/**
 * The same for an event of a known customer. An erasure deletes the identities, so a retry of what it
 * took reaches a customer only through an identity claimed again since (`createdAt`; a customer's first
 * event was checked before the identity was claimed: `isNew`). The marker is kept under a hash of the
 * reference (no provider id in the table), not on it, so the reference's own write cannot refuse the
 * retry: it is read when the event happened before the identity was claimed (its time is the provider's,
 * the same in every delivery), when the event is timed by our receipt and came within its provider's
 * resend span of the claim, or before the customer has a profile. A customer's later events read nothing,
 * nor does an event about a message we sent (`sent`: a bounce), which found that message's item.
 */
export async function knownErasedRetry(
  store: Pick<ResolverStore, 'erasedMessage'>,
  envelope: Envelope,
  holder: { claim: IdentityHolder; profile: ProfileState | undefined; sent?: SentMessage | undefined },
): Promise<boolean> {
  const { claim, profile } = holder;
  if (claim.isNew || holder.sent) return false;
  if (profile !== undefined) {
    const since = claim.createdAt ?? profile.customer?.createdAt;
    if (since === undefined || !claimedSince(envelope, since)) return false;
  }
  return isErasedRetry(store, envelope);
}

/** Whether the event may be one from before the identity's claim, delivered again (see knownErasedRetry). */
function claimedSince(envelope: Envelope, claimedAt: string): boolean {
  if (envelope.occurredAt < claimedAt) return true;
  if (envelope.providerTime === true) return false;
  return Date.parse(envelope.receivedAt) - Date.parse(claimedAt) < RESEND_SPAN_MS[envelope.provider];
}
