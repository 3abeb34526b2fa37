import { describe, expect, it } from 'vitest';
import { afterSent } from '../../../../functions/agent-api/console/after-sent.js';

describe('what stays in the reply box once a send has gone', () => {
  it('is nothing when the box holds what was sent', () => {
    expect(afterSent('On its way.', 'On its way.')).toBe('');
  });

  it('is what was typed after the sent text while it went', () => {
    // QA: the box was emptied when the send's answer came, and what was typed meanwhile was lost.
    expect(afterSent('On its way. Tracking: KX12', 'On its way.')).toBe('Tracking: KX12');
    expect(afterSent('On its way.\n\nAnything else?', 'On its way.')).toBe('Anything else?');
  });

  it('is all of it when the sent part was edited meanwhile, and the text when nothing was sent', () => {
    expect(afterSent('On its way today.', 'On its way.')).toBe('On its way today.');
    expect(afterSent('A draft', '')).toBe('A draft');
  });
});
