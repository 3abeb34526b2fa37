import { describe, expect, it } from 'vitest';
import { missedCallLabel } from '../../../../functions/agent-api/console/missed-call-text.js';

describe("the console's label of a conversation waiting for a call-back", () => {
  const time = (at: string) => at.slice(11, 16);

  it('says "Missed call" with the time of the call where the API gives missedCallAt', () => {
    // QA: a missed call waited in the inbox like any message, with nothing saying it was a call.
    expect(missedCallLabel('2026-12-07T14:05:00.000Z', time)).toBe('Missed call 14:05');
  });

  it('says nothing once the wait is answered (no missedCallAt)', () => {
    expect(missedCallLabel(undefined, time)).toBeUndefined();
  });
});
