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
