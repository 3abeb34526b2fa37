import { describe, expect, it } from 'vitest';
import {
  overtakesInSameSecond,
  PROFILE_TIME_GRANULARITY_MS,
  profileTouchNeeded,
} from '#shared/domain/profile-touch.js';
import { checkReplyRules } from '#shared/domain/replies.js';
import type { ProfileState, ProfileTouch } from '#shared/domain/resolver-ports.js';

const T0 = '2025-06-01T10:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const MINUTE = 60_000;

const stored: ProfileState = {
  customerId: 'cu_1',
  name: 'Ann',
  nameAt: T0,
  openConversationId: 'cv_1',
  identities: ['phone#+15550001'],
  channels: ['whatsapp'],
  mentioned: [],
  lastEventAt: T0,
  lastInboundAt: T0,
  lastInboundChannel: 'whatsapp',
  lastInboundByChannel: { whatsapp: T0 },
};

const touch = (over: Partial<ProfileTouch> = {}): ProfileTouch => ({
  customerId: 'cu_1',
  identities: [{ kind: 'phone', value: '+15550001' }],
  channel: 'whatsapp',
  at: later(MINUTE),
  now: later(MINUTE),
  conversationId: 'cv_1',
  newConversation: false,
  inbound: true,
  mentioned: [],
  ...over,
});

describe('profileTouchNeeded', () => {
  it('writes the WhatsApp provider only when it changes (Twilio, or back to the Cloud API)', () => {
    expect(profileTouchNeeded(stored, touch({ whatsappProvider: 'twilio' }))).toBe(true);
    expect(profileTouchNeeded(stored, touch({ whatsappProvider: null }))).toBe(false);
    const viaTwilio = { ...stored, whatsappProvider: 'twilio' };
    expect(profileTouchNeeded(viaTwilio, touch({ whatsappProvider: 'twilio' }))).toBe(false);
    expect(profileTouchNeeded(viaTwilio, touch({ whatsappProvider: null }))).toBe(true);
  });

  it('skips the next message on the same channel and conversation within the granularity', () => {
    expect(profileTouchNeeded(stored, touch())).toBe(false);
    expect(profileTouchNeeded(stored, touch({ at: later(PROFILE_TIME_GRANULARITY_MS - 1) }))).toBe(false);
    expect(profileTouchNeeded(stored, touch({ inbound: false }))).toBe(false);
  });

  it('writes a typed email the profile does not keep yet, and only then', () => {
    expect(profileTouchNeeded(stored, touch({ typedEmail: 'ann@example.com' }))).toBe(true);
    const kept = { ...stored, typedEmail: 'ann@example.com' };
    expect(profileTouchNeeded(kept, touch({ typedEmail: 'ann@example.com' }))).toBe(false);
    expect(profileTouchNeeded(kept, touch({ typedEmail: 'ann@work.example' }))).toBe(true);
    expect(profileTouchNeeded(kept, touch())).toBe(false);
  });

  it('writes once the stored times are as old as the granularity, so they never lag more', () => {
    expect(profileTouchNeeded(stored, touch({ at: later(PROFILE_TIME_GRANULARITY_MS) }))).toBe(true);
    const channelBehind = {
      ...stored,
      lastInboundByChannel: { whatsapp: later(-PROFILE_TIME_GRANULARITY_MS) },
    };
    expect(profileTouchNeeded(channelBehind, touch())).toBe(true);
    const lastEventBehind = { ...stored, lastEventAt: later(-PROFILE_TIME_GRANULARITY_MS) };
    expect(profileTouchNeeded(lastEventBehind, touch())).toBe(true);
    expect(profileTouchNeeded({ ...stored, lastInboundByChannel: {} }, touch())).toBe(true);
    expect(profileTouchNeeded({ ...stored, lastEventAt: undefined }, touch())).toBe(true);
  });

  it('writes a new customer, a name, a new identity, channel or mention, another conversation', () => {
    expect(profileTouchNeeded(undefined, touch())).toBe(true);
    expect(profileTouchNeeded(stored, touch({ name: { value: 'Ann', at: T0 } }))).toBe(true);
    const more = [
      { kind: 'phone' as const, value: '+15550001' },
      { kind: 'whatsapp' as const, value: 'US.1' },
    ];
    expect(profileTouchNeeded(stored, touch({ identities: more }))).toBe(true);
    expect(profileTouchNeeded({ ...stored, channels: ['sms'] }, touch())).toBe(true);
    expect(profileTouchNeeded(stored, touch({ mentioned: [{ kind: 'email', value: 'a@x.io' }] }))).toBe(true);
    expect(
      profileTouchNeeded(
        { ...stored, mentioned: ['email#a@x.io'] },
        touch({ mentioned: [{ kind: 'email', value: 'a@x.io' }] }),
      ),
    ).toBe(false);
    expect(profileTouchNeeded(stored, touch({ conversationId: 'cv_2', newConversation: true }))).toBe(true);
    expect(profileTouchNeeded({ ...stored, openConversationId: undefined }, touch())).toBe(true);
  });

  it('writes a switch of the last inbound channel, so replies default to the channel used last', () => {
    const switched = {
      ...stored,
      channels: ['whatsapp', 'sms'],
      lastInboundByChannel: { whatsapp: T0, sms: T0 },
    };
    expect(profileTouchNeeded(switched, touch({ channel: 'sms' }))).toBe(true);
  });

  it('leaves alone an older event that would change nothing, and moves a channel time it is far behind', () => {
    const newer = { ...stored, lastEventAt: later(5 * MINUTE), lastInboundAt: later(5 * MINUTE) };
    expect(profileTouchNeeded(newer, touch({ channel: 'whatsapp', at: later(MINUTE) }))).toBe(false);
    expect(profileTouchNeeded(stored, touch({ stale: true }))).toBe(false);
    expect(profileTouchNeeded(stored, touch({ stale: true, at: later(PROFILE_TIME_GRANULARITY_MS) }))).toBe(
      true,
    );
    expect(profileTouchNeeded(stored, touch({ stale: true, inbound: false, conversationId: 'cv_0' }))).toBe(
      false,
    );
  });

  it("moves the last inbound to a late event that is its conversation's latest inbound message, forward only", () => {
    // An answer came after it (the profile's last event), and it is on another channel: written.
    const answered: ProfileState = {
      ...stored,
      channels: ['whatsapp', 'sms'],
      lastEventAt: later(10 * MINUTE),
      lastInboundByChannel: { whatsapp: T0, sms: T0 },
    };
    const sms = { channel: 'sms' as const, at: later(MINUTE) };
    expect(profileTouchNeeded(answered, touch({ ...sms, stale: true, latestInbound: true }))).toBe(true);
    expect(profileTouchNeeded(answered, touch({ ...sms, latestInbound: true }))).toBe(true);
    // Not the latest inbound (or not later than the profile's): its channel's time only, recent here.
    expect(profileTouchNeeded(answered, touch({ ...sms, stale: true }))).toBe(false);
    const newer = { ...answered, lastInboundAt: later(2 * MINUTE) };
    expect(profileTouchNeeded(newer, touch({ ...sms, stale: true, latestInbound: true }))).toBe(false);
    // Same channel, within the granularity: nothing its readers need changes.
    expect(profileTouchNeeded(answered, touch({ stale: true, latestInbound: true }))).toBe(false);
  });

  it('takes a whole-second message on another channel, first delivered after a later one of its second, as the last', () => {
    // Instagram 268 ms into a second, then WhatsApp's message of that second (timed at its start).
    const second = later(10 * MINUTE);
    const instagramAt = later(10 * MINUTE + 268);
    const merged: ProfileState = {
      ...stored,
      channels: ['whatsapp', 'instagram'],
      lastEventAt: later(11 * MINUTE),
      lastInboundAt: instagramAt,
      lastInboundChannel: 'instagram',
      lastInboundByChannel: { whatsapp: later(9 * MINUTE), instagram: instagramAt },
    };
    const whatsapp = { at: second, stale: true, latestInbound: true };
    expect(profileTouchNeeded(merged, touch({ ...whatsapp, firstDelivery: true }))).toBe(true);
    expect(
      overtakesInSameSecond(
        { at: instagramAt, channel: 'instagram' },
        touch({ ...whatsapp, firstDelivery: true }),
      ),
    ).toBe(true);
    // A redelivery reached us no later than before; the second before is earlier; so is a time with milliseconds.
    expect(profileTouchNeeded(merged, touch(whatsapp))).toBe(false);
    const before = { ...whatsapp, firstDelivery: true, at: later(10 * MINUTE - 1000) };
    expect(profileTouchNeeded(merged, touch(before))).toBe(false);
    const withMs = { ...whatsapp, firstDelivery: true, at: later(10 * MINUTE + 1) };
    expect(profileTouchNeeded(merged, touch(withMs))).toBe(false);
    // Already the last inbound channel: nothing moves.
    const onWhatsapp = { at: instagramAt, channel: 'whatsapp' };
    expect(overtakesInSameSecond(onWhatsapp, touch({ ...whatsapp, firstDelivery: true }))).toBe(false);
  });

  it('keeps the 24-hour window conservative: it closes at most the granularity early, never late', () => {
    // The customer writes every 6 minutes for an hour; the profile keeps what the skipped writes leave.
    let profile: ProfileState = { ...stored };
    let writes = 0;
    for (let i = 1; i <= 10; i++) {
      const at = later(i * 6 * MINUTE);
      if (profileTouchNeeded(profile, touch({ at }))) {
        profile = { ...profile, lastEventAt: at, lastInboundAt: at, lastInboundByChannel: { whatsapp: at } };
        writes += 1;
      }
    }
    expect(writes).toBe(3);
    const real = later(60 * MINUTE);
    const kept = profile.lastInboundByChannel?.whatsapp as string;
    expect(kept).toBe(later(54 * MINUTE));
    expect(Date.parse(real) - Date.parse(kept)).toBeLessThan(PROFILE_TIME_GRANULARITY_MS);
    const day = 24 * 60 * MINUTE;
    const allowed = (now: number) => {
      try {
        checkReplyRules({
          channel: 'whatsapp',
          now: new Date(now),
          lastInboundAt: kept,
          hasTemplate: false,
          automated: false,
        });
        return true;
      } catch {
        return false;
      }
    };
    // Never allowed after the real window closed; allowed until the kept time's window closes.
    expect(allowed(Date.parse(real) + day + 1)).toBe(false);
    expect(allowed(Date.parse(kept) + day)).toBe(true);
    expect(allowed(Date.parse(real) + day - PROFILE_TIME_GRANULARITY_MS)).toBe(true);
  });
});
