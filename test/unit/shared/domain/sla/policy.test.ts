import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import { durationMs } from '#shared/domain/sla/duration.js';
import { matchSlaPolicy, raisesPriority, SlaSectionSchema } from '#shared/domain/sla/policy.js';

const base = { defaultQueue: 'general', queues: [{ name: 'general' }, { name: 'billing' }] };

describe('the sla section', () => {
  it.each([
    ['PT5M', 300_000],
    ['PT1H30M', 5_400_000],
    ['P1D', 86_400_000],
    ['P1W', 604_800_000],
    ['P1DT2H', 93_600_000],
    ['PT45S', 45_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each(['P1M', 'P1Y', 'PT', 'P', '5M', 'PT0S', 'PT-5M', `PT${'9'.repeat(50)}M`])('refuses %s', (text) => {
    expect(durationMs(text)).toBeUndefined();
  });

  it('takes the first policy whose every criterion holds; {} matches all', () => {
    const { policies } = SlaSectionSchema.parse({
      policies: [
        { name: 'vip-billing', match: { queues: ['billing'], tags: ['vip'] }, firstResponse: 'PT5M' },
        {
          name: 'urgent-chat',
          match: { channels: ['whatsapp', 'sms'], priority: ['urgent'] },
          firstResponse: 'PT2M',
        },
        { name: 'everyone', match: {}, firstResponse: 'PT1H' },
      ],
    });
    const subject = { channels: ['whatsapp'], tags: [] as string[], priority: 'normal' as const };
    expect(matchSlaPolicy(policies, subject)?.name).toBe('everyone');
    expect(matchSlaPolicy(policies, { ...subject, priority: 'urgent' })?.name).toBe('urgent-chat');
    expect(matchSlaPolicy(policies, { ...subject, queue: 'billing', tags: ['vip'] })?.name).toBe(
      'vip-billing',
    );
    expect(matchSlaPolicy(policies, { ...subject, queue: 'billing' })?.name).toBe('everyone');
    expect(matchSlaPolicy(policies.slice(0, 2), { ...subject, channels: ['email'] })).toBeUndefined();
  });

  it('fills in the defaults: around the clock, AI replies do not count, warn at 80%', () => {
    const [policy] = SlaSectionSchema.parse({ policies: [{ name: 'p', firstResponse: 'PT1H' }] }).policies;
    expect(policy).toMatchObject({
      calendar: false,
      aiRepliesCount: false,
      warnAt: 0.8,
      onBreach: [],
      match: {},
    });
  });

  it('only raises a priority', () => {
    expect(raisesPriority(undefined, 'high')).toBe(true);
    expect(raisesPriority('urgent', 'high')).toBe(false);
    expect(raisesPriority(undefined, 'normal')).toBe(false);
  });

  it('names a calendar that does not exist, a duplicate policy and a bad duration', () => {
    const text = JSON.stringify({
      ...base,
      sla: {
        policies: [
          { name: 'a', calendar: 'weekdays', firstResponse: 'PT5M' },
          { name: 'a', calendar: 'businessHours', resolution: 'P1M' },
        ],
      },
    });
    expect(() => parseRoutingPolicy(text)).toThrow(
      /sla\.policies\[0\]\.calendar: "weekdays" is not a calendar/,
    );
    expect(() => parseRoutingPolicy(text)).toThrow(/sla\.policies\[1\]\.name: "a" is named twice/);
    expect(() => parseRoutingPolicy(text)).toThrow(/sla\.policies\[1\]\.resolution: an ISO 8601 duration/);
    expect(() => parseRoutingPolicy(text)).toThrow(
      /sla\.policies\[1\]\.calendar: "businessHours" is not a calendar/,
    );
  });

  it("prints the example policy's sla, autoResolve, automations and csat in the README as the file has them", () => {
    const file = (name: string) => readFileSync(new URL(`../../../../../${name}`, import.meta.url), 'utf8');
    const uncommented = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(uncommented)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .filter(([key]) => key !== '$comment')
                .map(([key, v]) => [key, uncommented(v)]),
            )
          : value;
    const example = uncommented(JSON.parse(file('shared/domain/routing/example-sla-policy.json'))) as Record<
      string,
      unknown
    >;
    const readme = file('README.md');
    const section = readme.slice(readme.indexOf('## Response targets (SLA)'));
    const end = section.indexOf('\n## ', 1);
    // The section's policy fragments: its JSON blocks that start with a field's name.
    const blocks = [...section.slice(0, end).matchAll(/```json\n("[\s\S]*?)```/g)].map(
      (m) => JSON.parse(`{${m[1]}}`) as Record<string, unknown>,
    );
    const printed = Object.assign({}, ...blocks) as Record<string, unknown>;
    expect(Object.keys(printed)).toEqual(['sla', 'autoResolve', 'automations', 'csat']);
    for (const [key, value] of Object.entries(printed)) expect(value, key).toEqual(example[key]);
  });

  it('accepts the shipped example policy, and the default has no targets', () => {
    const example = readFileSync(
      new URL('../../../../../shared/domain/routing/example-sla-policy.json', import.meta.url),
      'utf8',
    );
    const policy = parseRoutingPolicy(example);
    expect(policy.sla.policies.map((p) => p.name)).toEqual(['vip', 'chat', 'everyone-else']);
    expect(policy.autoResolve?.after).toBe('P5D');
    expect(policy.csat).toMatchObject({ enabled: true, delay: 'PT10M', excludeQueues: [] });
    expect(parseRoutingPolicy(JSON.stringify(base)).sla).toEqual({ calendars: {}, policies: [] });
  });
});
