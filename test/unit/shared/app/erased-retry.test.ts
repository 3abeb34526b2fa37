import { describe, expect, it } from 'vitest';
import { knownErasedRetry } from '#shared/app/erased-retry.js';
import type { ProfileState } from '#shared/domain/resolver-ports.js';
import { inboundText } from '../../fakes/envelopes.js';

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
