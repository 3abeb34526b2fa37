import { describe, expect, it } from 'vitest';
import { ADVERSARIAL_CASES, timeCase } from '../../support/adversarial.js';

// A bound on catastrophic (super-linear) behaviour, not a benchmark: a linear pass over 1 MB takes a few
// milliseconds to about 50, a quadratic one takes minutes; on the responder's 2,000 characters a cubic or
// exponential pattern takes seconds to hours. The bound leaves room for the other test workers sharing
// a 2-core machine (a 51 ms case measured 241 ms in a full run, 1,428 ms at load 20); `npm run bench`
// prints the real times.
const LIMIT_MS = 3_000;

describe('regular expressions on text from outside', () => {
  it('builds inputs of their stated length: about 1 MB, or all the responder reads', () => {
    for (const { input, length } of ADVERSARIAL_CASES) expect(input().length).toBeGreaterThanOrEqual(length);
  });

  it.each(ADVERSARIAL_CASES.map((c) => [`${c.subject}: ${c.shape}`, c] as const))(
    '%s takes under three seconds',
    async (_, adversarial) => {
      expect(await timeCase(adversarial)).toBeLessThan(LIMIT_MS);
    },
  );
});
