import { describe, expect, it } from 'vitest';
import { isErasedRetry, knownErasedRetry } from '#shared/app/erased-retry.js';
import type { ProfileState } from '#shared/domain/resolver-ports.js';
import { envelope, inboundText } from '../../fakes/envelopes.js';

/** A store whose every reference an erasure took, counting the marker reads. */
function erasedStore() {
  const reads: string[] = [];
  return {
    reads,
    erasedMessage: async (channel: string, id: string) => {
      reads.push(`${channel}#${id}`);
      return true;
    },
  };
}

const CLAIMED = '2025-06-08T12:00:00.000Z';
const profile = { customerId: 'cu_new', customer: { createdAt: CLAIMED } } as unknown as ProfileState;
const claim = { customerId: 'cu_new', moved: false, createdAt: CLAIMED };

/** A Twilio SMS: timed by our receipt of it (Twilio gives no time), so a retry comes with a new one. */
const sms = (receivedAt: string) =>
  inboundText({
    provider: 'twilio',
    channel: 'sms',
    providerMessageId: 'SM00000000000000000000000000000001',
    occurredAt: receivedAt,
    receivedAt,
  });

/**
 * The erasure's marker is kept under a hash of the reference, so the reference's own write no longer
 * refuses a retry once the person wrote again: the resolver reads the marker for a known customer's
 * event only when it may be one from before their identity was claimed again.
 */
describe('knownErasedRetry: a retry of an erased event reaching the customer the person started since', () => {
  it('reads the marker for an event the provider timed before the identity was claimed', async () => {
    const store = erasedStore();
    const retry = inboundText({ occurredAt: '2025-06-01T09:00:00.000Z', providerTime: true });
    expect(await knownErasedRetry(store, retry, { claim, profile })).toBe(true);
    expect(store.reads).toEqual(['whatsapp#wamid.IN1']);
  });

  it('reads nothing for a later event the provider timed (the hot path)', async () => {
    const store = erasedStore();
    const later = inboundText({ occurredAt: '2025-06-08T12:00:01.000Z', providerTime: true });
    expect(await knownErasedRetry(store, later, { claim, profile })).toBe(false);
    expect(store.reads).toEqual([]);
  });

  it('reads for an event timed by our receipt within its provider resend span of the claim, not after', async () => {
    const store = erasedStore();
    expect(await knownErasedRetry(store, sms('2025-06-08T12:30:00.000Z'), { claim, profile })).toBe(true);
    expect(store.reads).toHaveLength(1);
    expect(await knownErasedRetry(store, sms('2025-06-08T13:00:01.000Z'), { claim, profile })).toBe(false);
    expect(store.reads).toHaveLength(1);
  });

  it('reads nothing for the event whose first contact claimed the identity (it was checked then)', async () => {
    const store = erasedStore();
    const first = inboundText({ occurredAt: '2025-06-01T09:00:00.000Z', providerTime: true });
    expect(
      await knownErasedRetry(store, first, { claim: { ...claim, isNew: true }, profile: undefined }),
    ).toBe(false);
    expect(store.reads).toEqual([]);
  });

  it('reads for a customer with no profile yet (a crash after the claim, unauthenticated mail)', async () => {
    const store = erasedStore();
    const event = inboundText({ occurredAt: '2025-06-09T09:00:00.000Z', providerTime: true });
    expect(
      await knownErasedRetry(store, event, {
        claim: { customerId: 'cu_mail', moved: false },
        profile: undefined,
      }),
    ).toBe(true);
  });
});

/** What Twilio tells of a call once it rang: timed by our receipt, with an id of its own. */
const callNews = (event: 'completed' | 'missed' | 'voicemail' | 'transcription', suffix: string) =>
  envelope({
    id: `twilio:call:CA600:${suffix}`,
    kind: 'call',
    provider: 'twilio',
    channel: 'voice',
    callId: 'CA600',
    direction: 'inbound',
    event,
    customer: { kind: 'phone', value: '+14155550600' },
    occurredAt: '2025-06-08T12:10:00.000Z',
    receivedAt: '2025-06-08T12:10:00.000Z',
    rawRef: 'twilio:test#',
    ...(event === 'transcription' ? { transcript: 'My card number is 4111' } : {}),
  });

describe("isErasedRetry: news of an erased call reads the call's own marker", () => {
  it.each([
    ['completed', 'completed'],
    ['missed', 'missed'],
    ['voicemail', 'voicemail:RE601'],
    ['transcription', 'transcription:TR600'],
  ] as const)(
    'reads the marker of the CallSid for a call %s (its own id is in no marker)',
    async (event, suffix) => {
      const store = erasedStore();
      expect(await isErasedRetry(store, callNews(event, suffix))).toBe(true);
      expect(store.reads).toEqual(['voice#CA600']);
    },
  );

  it('reads it for a known customer too, when the news came within the resend span of the claim', async () => {
    const store = erasedStore();
    expect(
      await knownErasedRetry(store, callNews('transcription', 'transcription:TR600'), { claim, profile }),
    ).toBe(true);
    expect(store.reads).toEqual(['voice#CA600']);
  });
});
