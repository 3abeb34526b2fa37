import { describe, expect, it } from 'vitest';
import { slaOutcomes } from '#shared/domain/sla/outcomes.js';
import { type SlaPolicy, SlaSectionSchema } from '#shared/domain/sla/policy.js';
import { applySlaEvent, type SlaRules, type SlaState, startSla } from '#shared/domain/sla/state.js';

const rules: SlaRules = {
  sla: SlaSectionSchema.parse({
    calendars: {},
    policies: [{ name: 'clock', firstResponse: 'PT10M', nextResponse: 'PT20M', resolution: 'PT2H' }],
  }),
};
const policy = rules.sla.policies[0] as SlaPolicy;
const T0 = '2026-06-10T10:00:00.000Z';
const plus = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
const apply = (state: SlaState, event: Parameters<typeof applySlaEvent>[3]) =>
  applySlaEvent(rules, policy, state, event);

describe('a reopened conversation', () => {
  it('runs a next-response target, not a second first response', () => {
    const again = startSla(rules, policy, plus(600), 5, true);
    expect(again).toMatchObject({
      responded: true,
      waitingOn: 'agent',
      nextResponseDue: plus(600 + 20 * 60),
    });
    expect(again.firstResponseDue).toBeUndefined();
    const met = must(apply(again, { type: 'reply', at: plus(660), author: 'agent' }));
    expect(slaOutcomes(again, met)).toEqual([{ metric: 'nextResponse', met: true }]);
  });
});

describe('a merge’s resolve', () => {
  it('ends every target with no outcome, even a deadline that passed unseen', () => {
    const waiting = startSla(rules, policy, T0);
    const ended = must(apply(waiting, { type: 'resolved', at: plus(11 * 60), merged: true }));
    expect(ended).toMatchObject({ status: 'active', breaches: [], endedAt: plus(11 * 60) });
    expect(ended.firstResponseDue).toBeUndefined();
    expect(ended.resolutionDue).toBeUndefined();
    const resolved = must(apply(waiting, { type: 'resolved', at: plus(11 * 60) }));
    expect(resolved).toMatchObject({ status: 'missed', breaches: [{ metric: 'firstResponse' }] });
  });
});
