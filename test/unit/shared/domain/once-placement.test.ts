import { describe, expect, it } from 'vitest';
import type { Envelope } from '#shared/domain/envelope.js';
import { oncePlacement } from '#shared/domain/resolution.js';
import { inboundText } from '../../fakes/envelopes.js';

const untouched = { moved: false, hopped: false, profile: undefined };

describe('oncePlacement', () => {
  const timed: Envelope = { ...inboundText(), providerTime: true };

  it('writes an inbound message timed by its provider by its key alone when no merge touched its customer', () => {
    expect(oncePlacement(timed, untouched)).toBe('key');
    expect(oncePlacement(timed, { ...untouched, profile: { mergedFrom: [] } })).toBe('key');
  });

  it('links the reference of a deletable message while a deletion from its identity waits for one', () => {
    const received = { ...timed, channel: 'whatsapp' as const, receivedAt: '2026-12-05T10:00:00.000Z' };
    const pending = { deletionMarkedUntil: '2026-12-12T09:00:00.000Z' };
    expect(oncePlacement(received, { ...untouched, ...pending })).toBe('reference');
    expect(oncePlacement({ ...received, channel: 'instagram' }, { ...untouched, ...pending })).toBe(
      'reference',
    );
    // Expired, or on a channel no deletion names: by its key.
    const expired = { deletionMarkedUntil: '2026-12-05T09:59:59.999Z' };
    expect(oncePlacement(received, { ...untouched, ...expired })).toBe('key');
    expect(oncePlacement({ ...received, channel: 'sms' }, { ...untouched, ...pending })).toBe('key');
    // A merge still looks in the merged partitions (that links the reference too).
    expect(oncePlacement(received, { ...untouched, moved: true, ...pending })).toBe('merged');
  });

  it('keeps the reference when the time may differ between deliveries (ours, or an entry time)', () => {
    const { providerTime: _, ...ours } = timed;
    expect(oncePlacement(ours as Envelope, untouched)).toBe('reference');
  });

  it('keeps the reference for everything but inbound messages', () => {
    if (timed.kind !== 'message') throw new Error('expected a message');
    expect(oncePlacement({ ...timed, direction: 'outbound' }, untouched)).toBe('reference');
  });

  it('looks in the merged partitions when a merge or an unmerge touched the identity or the customer', () => {
    expect(oncePlacement(timed, { ...untouched, moved: true })).toBe('merged');
    expect(oncePlacement(timed, { ...untouched, hopped: true })).toBe('merged');
    expect(oncePlacement(timed, { ...untouched, profile: { mergedFrom: ['cu_other'] } })).toBe('merged');
    expect(oncePlacement(timed, { ...untouched, profile: { unmergedAt: '2026-12-03T10:00:00.000Z' } })).toBe(
      'merged',
    );
  });
});
