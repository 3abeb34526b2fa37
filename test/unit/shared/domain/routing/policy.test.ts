import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isWithinBusinessHours } from '#shared/domain/routing/business-hours.js';
import {
  DEFAULT_ASK_FOR_PERSON_KEYWORDS,
  DEFAULT_MUST_BE_HUMAN_TOPICS,
  parseRoutingPolicy,
  RoutingPolicyError,
} from '#shared/domain/routing/policy.js';
import { ROUTING_DIR } from './fixtures.js';

describe('parseRoutingPolicy', () => {
  it('accepts the shipped default policy', () => {
    const policy = parseRoutingPolicy(readFileSync(new URL('default-policy.json', ROUTING_DIR), 'utf8'));
    expect(policy.defaultQueue).toBe('general');
    expect(policy.queues.map((q) => q.name)).toEqual(['billing', 'spanish', 'voice', 'general']);
    expect(Object.keys(policy.escalation.mustBeHumanTopics)).toEqual([
      'refund',
      'cancel',
      'complaint',
      'legal',
    ]);
    expect(policy.escalation.vipTag).toBe('vip');
    expect(policy.businessHours?.timezone).toBe('America/New_York');
    expect(policy.escalation.mustBeHumanTopics).toEqual(DEFAULT_MUST_BE_HUMAN_TOPICS);
    expect(policy.escalation.askForPersonKeywords).toEqual(DEFAULT_ASK_FOR_PERSON_KEYWORDS);
  });

  it('keeps the opening hours of the sample knowledge base article (Mon-Fri 9-6, Sat 10-2, closed Sunday)', () => {
    const policy = parseRoutingPolicy(readFileSync(new URL('default-policy.json', ROUTING_DIR), 'utf8'));
    const hours = policy.businessHours;
    if (!hours) throw new Error('the shipped policy has business hours');
    expect(hours.hours).toEqual([
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '18:00' },
      { days: ['sat'], open: '10:00', close: '14:00' },
    ]);
    const open = (iso: string) => isWithinBusinessHours(hours, new Date(iso));
    expect(open('2025-06-13T12:59:00Z')).toBe(false);
    expect(open('2025-06-13T13:00:00Z')).toBe(true);
    expect(open('2025-06-13T21:59:00Z')).toBe(true);
    expect(open('2025-06-13T22:00:00Z')).toBe(false);
    expect(open('2025-06-14T14:00:00Z')).toBe(true);
    expect(open('2025-06-14T17:59:00Z')).toBe(true);
    expect(open('2025-06-14T18:00:00Z')).toBe(false);
    expect(open('2025-06-15T16:00:00Z')).toBe(false);
  });

  it('closes on the public holidays the sample article speaks of: Christmas Day 2026, a Friday', () => {
    const policy = parseRoutingPolicy(readFileSync(new URL('default-policy.json', ROUTING_DIR), 'utf8'));
    const hours = policy.businessHours;
    if (!hours) throw new Error('the shipped policy has business hours');
    expect(hours.holidays).toContain('2026-12-25');
    expect(isWithinBusinessHours(hours, new Date('2026-12-24T15:00:00Z'))).toBe(true);
    expect(isWithinBusinessHours(hours, new Date('2026-12-25T15:00:00Z'))).toBe(false);
    expect(isWithinBusinessHours(hours, new Date('2026-12-26T15:00:00Z'))).toBe(true);
  });

  it('reads business hours without holidays as none', () => {
    const policy = parseRoutingPolicy(
      JSON.stringify({
        defaultQueue: 'general',
        queues: [{ name: 'general' }],
        businessHours: { timezone: 'UTC', hours: [{ days: ['mon'], open: '09:00', close: '17:00' }] },
      }),
    );
    expect(policy.businessHours?.holidays).toEqual([]);
  });

  it('documents every field of the shipped policy in the README', () => {
    const readme = readFileSync(new URL('README.md', ROUTING_DIR), 'utf8');
    const keys = new Set<string>();
    const walk = (value: unknown, inTopics: boolean): void => {
      if (Array.isArray(value)) for (const v of value) walk(v, false);
      else if (value && typeof value === 'object') {
        for (const [key, v] of Object.entries(value)) {
          if (!inTopics) keys.add(key);
          walk(v, key === 'mustBeHumanTopics');
        }
      }
    };
    walk(JSON.parse(readFileSync(new URL('default-policy.json', ROUTING_DIR), 'utf8')), false);
    const undocumented = [...keys].filter((key) => !readme.includes(`\`${key}\``));
    expect(undocumented).toEqual([]);
  });

  it('fills in the escalation defaults when the file leaves them out', () => {
    const policy = parseRoutingPolicy('{"defaultQueue": "general", "queues": [{"name": "general"}]}');
    expect(policy.version).toBe(1);
    expect(policy.stickyAgentDays).toBe(30);
    expect(policy.businessHours).toBeUndefined();
    expect(policy.escalation).toMatchObject({
      aiConfidenceThreshold: 0.7,
      negativeSentimentEscalates: true,
      channelSwitchEscalates: true,
      voicemailEscalates: true,
      aiMaxAnswersPerConversation: 10,
    });
    expect(policy.escalation.vipTag).toBeUndefined();
    expect(Object.keys(policy.escalation.mustBeHumanTopics)).toEqual([
      'refund',
      'cancel',
      'complaint',
      'legal',
    ]);
    expect(policy.escalation.mustBeHumanTopics.refund).toContain('money back');
    expect(policy.escalation.askForPersonKeywords).toContain('real person');
  });

  it('defaults business hours to routing routine messages to the AI after hours', () => {
    const policy = parseRoutingPolicy(
      JSON.stringify({
        defaultQueue: 'general',
        queues: [{ name: 'general' }],
        businessHours: {
          timezone: 'Europe/Paris',
          hours: [{ days: ['mon'], open: '09:00', close: '17:00' }],
        },
      }),
    );
    expect(policy.businessHours?.afterHours).toEqual({ route: 'ai' });
  });

  const minimal = { defaultQueue: 'general', queues: [{ name: 'general' }] };
  it('reads the AI answer limit as a whole number of answers, at least one', () => {
    const escalation = { aiMaxAnswersPerConversation: 3 };
    expect(parseRoutingPolicy(JSON.stringify({ ...minimal, escalation })).escalation).toMatchObject(
      escalation,
    );
    const limit = (value: unknown) => () =>
      parseRoutingPolicy(JSON.stringify({ ...minimal, escalation: { aiMaxAnswersPerConversation: value } }));
    expect(limit(0)).toThrow(/escalation\.aiMaxAnswersPerConversation: /);
    expect(limit(2.5)).toThrow(/escalation\.aiMaxAnswersPerConversation: /);
    expect(limit('10')).toThrow(/escalation\.aiMaxAnswersPerConversation: /);
    expect(limit(null)).toThrow(RoutingPolicyError);
  });

  it.each([
    ['text that is not JSON', '{"defaultQueue": ', /^routing policy is not valid JSON: /],
    ['a missing default queue', JSON.stringify({ queues: [{ name: 'general' }] }), /defaultQueue: /],
    [
      'a default queue that is not listed',
      JSON.stringify({ ...minimal, defaultQueue: 'support' }),
      /defaultQueue: "support" is not the name of a queue in queues/,
    ],
    [
      'a misspelt field',
      JSON.stringify({ ...minimal, queues: [{ name: 'general', keywrods: ['x'] }] }),
      /queues\[0\]: Unrecognized key: "keywrods"/,
    ],
    [
      'an unknown channel',
      JSON.stringify({ ...minimal, queues: [{ name: 'general' }, { name: 'tg', channels: ['telegram'] }] }),
      /queues\[1\]\.channels\[0\]: /,
    ],
    [
      'a language that is not a tag',
      JSON.stringify({ ...minimal, queues: [{ name: 'general' }, { name: 'en', languages: ['english'] }] }),
      /queues\[1\]\.languages\[0\]: a language tag/,
    ],
    [
      'a queue named twice',
      JSON.stringify({ ...minimal, queues: [{ name: 'general' }, { name: 'general' }] }),
      /queues\[1\]\.name: "general" is named twice/,
    ],
    [
      'a time zone that does not exist',
      JSON.stringify({
        ...minimal,
        businessHours: {
          timezone: 'Europe/Atlantis',
          hours: [{ days: ['mon'], open: '09:00', close: '17:00' }],
        },
      }),
      /businessHours\.timezone: not an IANA time zone/,
    ],
    [
      'a time of day out of range',
      JSON.stringify({
        ...minimal,
        businessHours: { timezone: 'UTC', hours: [{ days: ['mon'], open: '9:00', close: '25:00' }] },
      }),
      /businessHours\.hours\[0\]\.open: a time of day.*businessHours\.hours\[0\]\.close: a time of day/,
    ],
    [
      'a window that opens and closes at the same time',
      JSON.stringify({
        ...minimal,
        businessHours: { timezone: 'UTC', hours: [{ days: ['mon'], open: '09:00', close: '09:00' }] },
      }),
      /businessHours\.hours\[0\]\.close: open and close are equal/,
    ],
    [
      'an after-hours queue that is not listed',
      JSON.stringify({
        ...minimal,
        businessHours: {
          timezone: 'UTC',
          hours: [{ days: ['mon'], open: '09:00', close: '17:00' }],
          afterHours: { route: 'queue', queue: 'overnight' },
        },
      }),
      /businessHours\.afterHours\.queue: "overnight" is not the name of a queue/,
    ],
    [
      'a confidence threshold above 1',
      JSON.stringify({ ...minimal, escalation: { aiConfidenceThreshold: 1.5 } }),
      /escalation\.aiConfidenceThreshold: /,
    ],
    [
      'a topic without keywords',
      JSON.stringify({ ...minimal, escalation: { mustBeHumanTopics: { refund: [] } } }),
      /escalation\.mustBeHumanTopics\.refund: /,
    ],
    [
      'a keyword that is only a wildcard',
      JSON.stringify({ ...minimal, escalation: { askForPersonKeywords: ['human', ' * '] } }),
      /escalation\.askForPersonKeywords\[1\]: a keyword needs at least one letter or digit/,
    ],
    [
      'a keyword with a leading *, which would match nothing',
      JSON.stringify({ ...minimal, escalation: { mustBeHumanTopics: { allergy: ['nuts', '*gluten*'] } } }),
      /escalation\.mustBeHumanTopics\.allergy\[1\]: "\*gluten\*": a \* may only end a keyword/,
    ],
    [
      'a queue keyword with an inner *',
      JSON.stringify({ ...minimal, queues: [{ name: 'general', keywords: ['re*und'] }] }),
      /queues\[0\]\.keywords\[0\]: "re\*und": a \* may only end a keyword/,
    ],
    ['a negative sticky window', JSON.stringify({ ...minimal, stickyAgentDays: -1 }), /stickyAgentDays: /],
    [
      'a holiday that is not a date',
      JSON.stringify({
        ...minimal,
        businessHours: {
          timezone: 'UTC',
          hours: [{ days: ['mon'], open: '09:00', close: '17:00' }],
          holidays: ['2026-12-25', '25/12/2026'],
        },
      }),
      /businessHours\.holidays\[1\]: /,
    ],
    [
      'a queue holiday on a day that does not exist',
      JSON.stringify({
        ...minimal,
        queues: [
          {
            name: 'general',
            businessHours: {
              timezone: 'UTC',
              hours: [{ days: ['mon'], open: '09:00', close: '17:00' }],
              holidays: ['2026-02-30'],
            },
          },
        ],
      }),
      /queues\[0\]\.businessHours\.holidays\[0\]: /,
    ],
  ])('rejects %s, naming the field', (_name, text, message) => {
    expect(() => parseRoutingPolicy(text)).toThrow(RoutingPolicyError);
    expect(() => parseRoutingPolicy(text)).toThrow(message);
  });

  // A queue named anywhere else in the file must be one of `queues`, as `defaultQueue` and an
  // after-hours queue are: before, a typo here was taken, and the rule it was in quietly did another
  // thing (a breach moved a late conversation into a queue no agent can join, a survey went to the
  // queue it was meant to skip, a target or an automation never applied).
  const rules = {
    ...minimal,
    queues: [{ name: 'general' }, { name: 'escalations' }],
  };
  const sla = (policy: object) => ({
    ...rules,
    sla: { policies: [{ name: 'p', calendar: false, ...policy }] },
  });
  const rule = (extra: object) => ({
    ...rules,
    automations: [
      { name: 'r', trigger: 'message_received', actions: [{ type: 'note', text: 'n' }], ...extra },
    ],
  });
  it.each([
    [
      'an SLA policy matching a queue that is not listed',
      sla({ match: { queues: ['general', 'escalatons'] }, firstResponse: 'PT1H' }),
      /sla\.policies\[0\]\.match\.queues\[1\]: "escalatons" is not the name of a queue in queues/,
    ],
    [
      'a breach moving the conversation to a queue that is not listed',
      sla({
        firstResponse: 'PT1H',
        onBreach: [
          { type: 'note', text: 'late' },
          { type: 'queue', queue: 'escalatons' },
        ],
      }),
      /sla\.policies\[0\]\.onBreach\[1\]\.queue: "escalatons" is not the name of a queue in queues/,
    ],
    [
      'an automation on a queue that is not listed',
      rule({ conditions: { queues: ['Escalations'] } }),
      /automations\[0\]\.conditions\.queues\[0\]: "Escalations" is not the name of a queue in queues/,
    ],
    [
      'an automation assigning to a queue that is not listed',
      rule({ actions: [{ type: 'assign', queue: 'escalatons' }] }),
      /automations\[0\]\.actions\[0\]\.queue: "escalatons" is not the name of a queue in queues/,
    ],
    [
      'a survey skipping a queue that is not listed',
      { ...rules, csat: { question: 'How did we do?', excludeQueues: ['escalations', 'vip'] } },
      /csat\.excludeQueues\[1\]: "vip" is not the name of a queue in queues/,
    ],
  ])('rejects %s, naming the field', (_name, policy, message) => {
    const text = JSON.stringify(policy);
    expect(() => parseRoutingPolicy(text)).toThrow(message);
  });

  it('takes rules that name listed queues', () => {
    const policy = parseRoutingPolicy(
      JSON.stringify({
        ...sla({
          match: { queues: ['general'] },
          firstResponse: 'PT1H',
          onBreach: [{ type: 'queue', queue: 'escalations' }],
        }),
        automations: rule({
          conditions: { queues: ['escalations'] },
          actions: [{ type: 'assign', queue: 'general' }],
        }).automations,
        csat: { question: 'How did we do?', excludeQueues: ['escalations'] },
      }),
    );
    expect(policy.csat?.excludeQueues).toEqual(['escalations']);
  });
});
