import type { TrackClock } from '../domain/clock-ports.js';
import type { Channel, Envelope } from '../domain/envelope.js';
import { placedReplyAt } from '../domain/replies.js';
import type { ProfileState, ResolverStore } from '../domain/resolver-ports.js';
import { AI_AUTHOR_ID, handoffNoteId } from '../domain/routing/routable.js';
import type { TimelineItem } from '../domain/timeline.js';
import { OPTED_OUT_WHILE_WAITING_NOTE, smsOnly } from './unreachable-customer.js';

/** What ending a wait at a STOP needs of the resolver. */
export interface OptOutWaitDeps {
  store: Pick<
    ResolverStore,
    'getProfileState' | 'getConversation' | 'putTimelineItem' | 'dropUnreachableWait'
  >;
  track?: TrackClock | undefined;
}

/** The STOP as the resolver placed it (quietly: it touches no conversation), and its customer's profile. */
export interface PlacedStop {
  envelope: Envelope;
  item: TimelineItem;
  /** The customer's profile as read before the STOP: their open conversation, channels and merges. */
  profile: ProfileState | undefined;
}

/** A profile's channels as a reply's candidates read them. */
const reachableOn = (profile: ProfileState | undefined) => ({
  lastInboundChannel: profile?.lastInboundChannel as Channel | undefined,
  channels: (profile?.channels ?? []) as Channel[],
});

/**
 * A STOP texted while the customer's earlier message waits for an answer: when SMS was the only channel
 * a reply could take (`smsOnly`, over the profiles merged into theirs),
 * nobody can answer any more, as for a question from a number opted out already (`keepUnreachable`).
 * Read only for a STOP (its conversation, strongly: it touched none; each merged profile).
 * A note says why, right after the STOP (keyed on it, so a redelivery writes it once); the clock hears
 * `unreachable` (the response target stops with no breach counted, and the silence auto-resolve counts
 * from the STOP); the wait goes last, while it is still the one the STOP found, so a redelivery after a
 * crash completes the rest and one after all of it finds no wait and does nothing. A customer who also
 * wrote on another channel keeps waiting: an agent can answer there.
 */
export async function endWaitAtStop(deps: OptOutWaitDeps, stop: PlacedStop): Promise<boolean> {
  const { envelope, item, profile } = stop;
  if (envelope.kind !== 'message' || envelope.channel !== 'sms' || envelope.data?.optOut !== 'stop')
    return false;
  const conversationId = profile?.openConversationId;
  if (!conversationId || !deps.store.getConversation) return false;
  // Strongly: the question may have been written a moment before.
  const conversation = await deps.store.getConversation(conversationId, { consistent: true });
  const since = conversation?.waitingSince;
  if (conversation?.status !== 'open' || since === undefined || since > item.at) return false;
  const merged = await Promise.all((profile?.mergedFrom ?? []).map((id) => deps.store.getProfileState(id)));
  const profiles = [profile, ...merged].map(reachableOn);
  if (!smsOnly(reachableOn(profile), profiles)) return false;
  await deps.store.putTimelineItem(
    {
      id: `note:${handoffNoteId(item.id)}`,
      type: 'note',
      at: placedReplyAt(item.at),
      customerId: item.customerId,
      conversationId,
      text: OPTED_OUT_WHILE_WAITING_NOTE,
      data: { author: { kind: 'ai', id: AI_AUTHOR_ID } },
    },
    undefined,
  );
  await deps.track?.({ type: 'unreachable', conversationId, at: item.at });
  await deps.store.dropUnreachableWait?.(conversationId, since);
  return true;
}
