import { describe, expect, it } from 'vitest';
import { ADVERSARIAL_CASES, ADVERSARIAL_LENGTH, timeCase } from '../../support/adversarial.js';

// A bound on catastrophic (super-linear) behaviour, not a benchmark: a linear pass over 1 MB takes a few
// milliseconds, a quadratic one takes seconds.
const LIMIT_MS = 200;

describe('regular expressions on text from outside', () => {
  it('builds inputs of about 1 MB', () => {
    for (const { input } of ADVERSARIAL_CASES)
      expect(input().length).toBeGreaterThanOrEqual(ADVERSARIAL_LENGTH);
  });

  it.each(ADVERSARIAL_CASES.map((c) => [`${c.subject}: ${c.shape}`, c] as const))(
    '%s takes under 200 ms on 1 MB',
    (_, adversarial) => {
      expect(timeCase(adversarial)).toBeLessThan(LIMIT_MS);
    },
  );
});
