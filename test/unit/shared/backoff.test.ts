import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '#shared/backoff.js';

describe('backoffDelayMs', () => {
  it.each([
    [1, 100, 0.5, 50],
    [3, 500, 0.5, 1_000],
    [4, 500, 0.999, 3_996],
    [20, 500, 0.5, 10_000],
    [1, 500, 0, 0],
  ])(
    'waits a jittered share of base × 2^(attempt - 1), at most 20 s (try %i, base %i, random %f)',
    (attempt, base, random, ms) => {
      expect(backoffDelayMs(attempt, base, () => random)).toBe(ms);
    },
  );
});
