import { describe, expect, it } from 'vitest';
import { snoozeText } from '../../../../functions/agent-api/console/snooze-text.js';

describe("the console's words for a snooze and its end on the timeline", () => {
  const time = (at: string) => at.slice(11, 16);

  it('says until when and by whom a conversation was snoozed', () => {
    // QA: the timeline read "snoozed", naming neither the time nor the agent.
    expect(snoozeText('snoozed', { until: '2026-12-06T03:06:00.000Z' }, 'bob', time)).toBe(
      'Snoozed until 03:06 by bob',
    );
  });

  it('says why it woke: an agent, the customer writing, or its time coming', () => {
    expect(snoozeText('woke', { reason: 'agent' }, 'ana', time)).toBe('Woken by ana');
    expect(snoozeText('woke', { reason: 'customer' }, undefined, time)).toBe('Woken: the customer wrote');
    expect(
      snoozeText('woke', { reason: 'timer', snoozedUntil: '2026-12-06T03:06:00.000Z' }, undefined, time),
    ).toBe('Snooze ended (it was until 03:06)');
  });
});
