import { identityToken } from './identity.js';
import type { ProfileState, ProfileTouch } from './resolver-ports.js';

/**
 * How far the profile's last-inbound times (`lastInboundAt`, `lastInbound_<channel>`) and `lastEventAt`
 * may lag the customer's real last message: a message within this of the stored time on the same
 * channel and conversation writes no profile. The stored time is always a real message's, so the
 * 24-hour (and 7-day) reply windows computed from it close at most this much early, never late.
 */
export const PROFILE_TIME_GRANULARITY_MS = 15 * 60 * 1000;

/** Whether `stored` is set and `at` comes less than the granularity after it (or before it). */
function recentEnough(stored: string | undefined, at: string): boolean {
  if (stored === undefined) return false;
  return Date.parse(at) - Date.parse(stored) < PROFILE_TIME_GRANULARITY_MS;
}

/**
 * Whether an inbound event timed to the whole second (WhatsApp's), on its first delivery, comes after
 * the profile's last inbound message on another channel though its time does not: that message's time
 * falls within the event's second, so it reached us first, and the event is the later, as one second's
 * items are ordered on the timeline (by arrival, `arrivalOf`). Its channel becomes the last inbound
 * one (`sameSecondInboundInput`); the last inbound time stays the later one.
 */
export function overtakesInSameSecond(
  last: { at?: string | undefined; channel?: string | undefined },
  touch: Pick<ProfileTouch, 'at' | 'channel' | 'firstDelivery'>,
): boolean {
  if (!touch.firstDelivery || !touch.at.endsWith('.000Z') || last.at === undefined) return false;
  if (last.channel === touch.channel || last.at < touch.at) return false;
  return Date.parse(last.at) - Date.parse(touch.at) < 1000;
}

/**
 * Whether a late inbound event, the latest inbound message of its conversation, moves the profile's last
 * inbound forward: to another channel, or past the granularity; or moves its channel (one second's).
 */
function movesLastInbound(profile: ProfileState, touch: ProfileTouch): boolean {
  if (!touch.latestInbound) return false;
  const last = profile.lastInboundAt;
  if (last === undefined) return true;
  if (last >= touch.at)
    return overtakesInSameSecond({ at: last, channel: profile.lastInboundChannel }, touch);
  return profile.lastInboundChannel !== touch.channel || !recentEnough(last, touch.at);
}

/**
 * Whether an inbound WhatsApp message comes after a reply WhatsApp failed as outside the window (131047)
 * that the profile's WhatsApp time does not pass yet: its time must be written (the granularity aside),
 * so replies see the window open again.
 */
function reopensWhatsApp(profile: ProfileState, touch: ProfileTouch, channelTime: string | undefined) {
  const closed = profile.whatsappWindowClosedAt;
  if (!touch.inbound || touch.channel !== 'whatsapp' || closed === undefined) return false;
  return touch.at > closed && (channelTime === undefined || channelTime <= closed);
}

/**
 * Whether an event's profile touch would change anything the profile's readers need, judged from the
 * profile the resolver read: a new identity, channel, mention or typed email, another open conversation
 * (or one to hold open: `holdOpen`), a name or a lookup of one, a switch of the last inbound channel, or a last-inbound
 * time older than the granularity. A returning
 * customer's next message on the same channel a few minutes later changes none of them.
 */
export function profileTouchNeeded(profile: ProfileState | undefined, touch: ProfileTouch): boolean {
  if (!profile || touch.name || touch.holdOpen || touch.nameLookedUp) return true;
  const has = (set: readonly string[] | undefined, token: string) => set?.includes(token) === true;
  if (touch.identities.some((identity) => !has(profile.identities, identityToken(identity)))) return true;
  if (!has(profile.channels, touch.channel)) return true;
  if (touch.mentioned?.some((identity) => !has(profile.mentioned, identityToken(identity)))) return true;
  if (touch.typedEmail !== undefined && touch.typedEmail !== profile.typedEmail) return true;
  // A number replies go to, not set yet: even a late message sets it (see `fillReplyNumbers`).
  if (typeof touch.whatsappAddress === 'string' && profile.whatsappAddress === undefined) return true;
  if (touch.numberChanged && touch.whatsappAddress !== profile.whatsappAddress) return true;
  if (touch.smsAddress !== undefined && profile.smsAddress === undefined) return true;
  const channelTime = profile.lastInboundByChannel?.[touch.channel];
  if (reopensWhatsApp(profile, touch, channelTime)) return true;
  // Older than its conversation's latest event: only the sets above change, the channel's time, and
  // the last inbound when this is the conversation's latest inbound message.
  if (touch.stale)
    return touch.inbound && (!recentEnough(channelTime, touch.at) || movesLastInbound(profile, touch));
  if (touch.conversationId !== profile.openConversationId) return true;
  if (touch.whatsappAddress !== undefined && (touch.whatsappAddress ?? undefined) !== profile.whatsappAddress)
    return true;
  if (touch.smsAddress !== undefined && touch.smsAddress !== profile.smsAddress) return true;
  if (touch.smsBusinessNumber !== undefined && touch.smsBusinessNumber !== profile.smsBusinessNumber)
    return true;
  if (
    touch.whatsappProvider !== undefined &&
    (touch.whatsappProvider ?? undefined) !== profile.whatsappProvider
  )
    return true;
  if (!recentEnough(profile.lastEventAt, touch.at)) return true;
  if (!touch.inbound) return false;
  // Older than the profile's last event: the write's condition would leave the current fields alone.
  if (profile.lastEventAt !== undefined && touch.at < profile.lastEventAt) {
    return !recentEnough(channelTime, touch.at) || movesLastInbound(profile, touch);
  }
  if (profile.lastInboundChannel !== touch.channel) return true;
  return !recentEnough(profile.lastInboundAt, touch.at) || !recentEnough(channelTime, touch.at);
}
