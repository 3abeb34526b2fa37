import { describe, expect, it } from 'vitest';
import { isRetryableStatus } from '#shared/http/status.js';

describe('isRetryableStatus', () => {
  it.each([
    [200, false],
    [399, false],
    [400, false],
    [404, false],
    [407, false],
    [408, true],
    [409, false],
    [428, false],
    [429, true],
    [430, false],
    [499, false],
    [500, true],
    [503, true],
    [599, true],
  ])('answers %i with %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});
