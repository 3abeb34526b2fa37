import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '#shared/domain/retry-after.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-03T10:00:00.000Z');
  it.each([
    ['120', 120_000],
    ['Thu, 03 Dec 2026 10:05:00 GMT', 300_000],
    ['999999999', 86_400_000],
    ['0', undefined],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads %s as %s ms', (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms);
  });
});
