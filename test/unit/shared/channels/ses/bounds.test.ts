import { describe, expect, it } from 'vitest';
import { type Cuts, cutChars } from '#shared/channels/ses/bounds.js';

describe('cutChars', () => {
  it('cuts a long subject between two characters as a reader counts them, and notes the cut', () => {
    const cuts: Cuts = new Set();
    const subject = `a${'e\u0301'.repeat(600)}`;
    // Before, the 998th unit was an `e` without its accent.
    expect(cutChars(subject, 998, 'subject', cuts)).toBe(`a${'e\u0301'.repeat(498)}`);
    expect(cuts).toEqual(new Set(['subject']));
  });

  it('keeps what fits as it is', () => {
    const cuts: Cuts = new Set();
    expect(cutChars('Order 42 👍🏽', 998, 'subject', cuts)).toBe('Order 42 👍🏽');
    expect(cuts.size).toBe(0);
  });
});
