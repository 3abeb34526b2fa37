import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import { routingPolicyWarnings } from '#shared/domain/routing/policy-warnings.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const base = { defaultQueue: 'general', queues: [{ name: 'general' }, { name: 'escalations' }] };
const warningsOf = (extra: Record<string, unknown>) =>
  routingPolicyWarnings(parseRoutingPolicy(JSON.stringify({ ...base, ...extra })), NOW);
const calendar = (own: Record<string, unknown>) => ({
  sla: {
    calendars: {
      london: {
        timezone: 'Europe/London',
        hours: [{ days: ['mon', 'tue'], open: '09:00', close: '17:00' }],
        ...own,
      },
    },
  },
});
const slaPolicy = (own: Record<string, unknown>) => ({ name: 'p', match: {}, firstResponse: 'PT1H', ...own });

/**
 * A routing policy that parses but is likely not what its writer meant: the start and the synth warn,
 * naming the field, and go on. Before, each was taken without a word.
 */
describe('routing policy warnings', () => {
  it('has none for the example SLA policy', () => {
    const text = readFileSync(
      new URL('../../../../../shared/domain/routing/example-sla-policy.json', import.meta.url),
      'utf8',
    );
    expect(routingPolicyWarnings(parseRoutingPolicy(text), NOW)).toEqual([]);
  });

  it('names a list whose every holiday has passed, and not one that still has dates to come', () => {
    expect(warningsOf(calendar({ holidays: ['2025-12-25', '2026-12-25'] }))).toEqual([]);
    const many = ['2026-01-01', '2026-05-25', '2026-07-03', '2026-11-26', '2026-12-25'];
    expect(warningsOf(calendar({ holidays: many }))).toEqual([]);
    expect(warningsOf(calendar({ holidays: ['2025-12-25', '2026-01-01'] }))).toEqual([
      'sla.calendars.london.holidays: every date has passed (the latest is 2026-01-01): add the coming ones, or the team counts as open on them',
    ]);
  });

  it('names a holiday listed twice and a day listed twice in a window', () => {
    const hours = [{ days: ['mon', 'mon'], open: '09:00', close: '17:00' }];
    expect(warningsOf(calendar({ hours, holidays: ['2026-12-25', '2026-12-25'] }))).toEqual([
      'sla.calendars.london.holidays: 2026-12-25 is listed twice',
      'sla.calendars.london.hours[0].days: mon is listed twice',
    ]);
  });

  it('names windows of one day that overlap, in business hours and a queue’s too', () => {
    const hours = [
      { days: ['mon', 'tue'], open: '08:00', close: '12:30' },
      { days: ['tue', 'wed'], open: '12:00', close: '18:00' },
      { days: ['mon'], open: '22:00', close: '02:00' },
    ];
    const businessHours = { timezone: 'Europe/London', hours };
    expect(warningsOf({ businessHours })).toEqual([
      'businessHours.hours[0] (08:00–12:30) and hours[1] (12:00–18:00) overlap on tue: check them',
    ]);
    const queues = [{ name: 'general', businessHours }];
    expect(warningsOf({ queues })).toEqual([
      'queues[0].businessHours.hours[0] (08:00–12:30) and hours[1] (12:00–18:00) overlap on tue: check them',
    ]);
  });

  it('names override windows that overlap, and one the clocks skip, saying where it moved', () => {
    const overrides = {
      '2026-12-24': [
        { open: '08:00', close: '12:00' },
        { open: '11:00', close: '13:00' },
      ],
      '2027-03-28': [{ open: '01:30', close: '05:00' }],
    };
    expect(warningsOf(calendar({ overrides }))).toEqual([
      'sla.calendars.london.overrides.2026-12-24[0] (08:00–12:00) and [1] (11:00–13:00) overlap',
      'sla.calendars.london.overrides.2027-03-28[0].open: 01:30 does not happen that day in Europe/London (the clocks go forward): it was moved to 02:30',
    ]);
  });

  it('names an SLA policy matching all before others, and a first response longer than the resolution', () => {
    const policies = [
      slaPolicy({ name: 'all', firstResponse: 'PT4H', resolution: 'PT2H' }),
      slaPolicy({ name: 'vip', match: { tags: ['vip'] } }),
    ];
    expect(warningsOf({ sla: { policies } })).toEqual([
      'sla.policies[0] ("all") matches every conversation ({}), so "vip" after it can never apply: put it last',
      'sla.policies[0].firstResponse (PT4H) is longer than its resolution (PT2H): the resolution target is missed before the first response is late',
    ]);
  });

  it('names the queue a breach moves to when the survey excludes it', () => {
    const policies = [slaPolicy({ onBreach: [{ type: 'queue', queue: 'escalations' }] })];
    const csat = { question: 'How did we do?', excludeQueues: ['escalations'] };
    expect(warningsOf({ sla: { policies }, csat })).toEqual([
      'csat.excludeQueues has escalations, where sla.policies[0].onBreach[0] moves late conversations: they get no survey',
    ]);
  });

  it('names durations over a year', () => {
    const automations = [
      {
        name: 'later',
        trigger: 'conversation_resolved',
        delay: 'P400D',
        actions: [{ type: 'snooze', for: 'P60W' }],
      },
    ];
    expect(warningsOf({ autoResolve: { after: 'P366D' }, automations })).toEqual([
      'autoResolve.after: P366D is over a year: check it',
      'automations[0].delay: P400D is over a year: check it',
      'automations[0].actions[0].for: P60W is over a year: check it',
    ]);
    expect(warningsOf({ autoResolve: { after: 'P365D' } })).toEqual([]);
  });
});
