import { describe, expect, it } from 'vitest';
import { msOfSeq, seqAt, seqClock } from '#shared/domain/live/seq.js';

describe('seqClock', () => {
  it('gives ms × 1000 plus a counter within a millisecond', () => {
    const next = seqClock(() => 1_764_000_000_000);
    expect([next(), next(), next()]).toEqual([
      1_764_000_000_000_000, 1_764_000_000_000_001, 1_764_000_000_000_002,
    ]);
    expect(msOfSeq(1_764_000_000_000_002)).toBe(1_764_000_000_000);
  });

  it('only grows, even when the clock steps back', () => {
    let now = 2_000;
    const next = seqClock(() => now);
    const first = next();
    now = 1_000;
    expect(next()).toBe(first + 1);
    now = 3_000;
    expect(next()).toBe(seqAt(3_000));
  });

  it('stays exact for today’s times (below 2^53)', () => {
    expect(Number.isSafeInteger(seqAt(Date.parse('2100-01-01')) + 999)).toBe(true);
  });
});
