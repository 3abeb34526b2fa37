import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ResponderResult } from '#shared/domain/responder.js';
import { isWithinBusinessHours } from '#shared/domain/routing/business-hours.js';
import { decideRoute } from '#shared/domain/routing/decide-route.js';
import type { AiAssessment, RouteInput } from '#shared/domain/routing/decision.js';
import { findKeyword } from '#shared/domain/routing/keywords.js';
import {
  type BusinessHours,
  DEFAULT_ASK_FOR_PERSON_KEYWORDS,
  DEFAULT_MUST_BE_HUMAN_TOPICS,
  parseRoutingPolicy,
  type RoutingPolicy,
  RoutingPolicyError,
  type RoutingPolicyInput,
  RoutingPolicySchema,
} from '#shared/domain/routing/policy.js';
import { selectQueue } from '#shared/domain/routing/queues.js';

const ROUTING_DIR = new URL('../../../../../shared/domain/routing/', import.meta.url);

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

const POLICY_INPUT: RoutingPolicyInput = {
  defaultQueue: 'general',
  queues: [
    { name: 'billing', keywords: ['invoice*', 'refund*'] },
    { name: 'spanish', languages: ['es'] },
    { name: 'voice', channels: ['voice'] },
    { name: 'email-fr', channels: ['email'], languages: ['fr'] },
    { name: 'general' },
    { name: 'night' },
  ],
  businessHours: {
    timezone: 'America/New_York',
    hours: [{ days: [...WEEKDAYS], open: '09:00', close: '17:00' }],
  },
  escalation: { vipTag: 'vip' },
};
const POLICY = RoutingPolicySchema.parse(POLICY_INPUT);

function policyWith(patch: Partial<RoutingPolicyInput>): RoutingPolicy {
  return RoutingPolicySchema.parse({ ...structuredClone(POLICY_INPUT), ...patch });
}
function escalationWith(patch: NonNullable<RoutingPolicyInput['escalation']>): RoutingPolicy {
  return policyWith({ escalation: { vipTag: 'vip', ...patch } });
}

/** Monday 9 June 2025, 11:00 in New York (EDT): open. */
const MONDAY_11_NY = new Date('2025-06-09T15:00:00.000Z');
/** Saturday 14 June 2025, 11:00 in New York: closed. */
const SATURDAY_NY = new Date('2025-06-14T15:00:00.000Z');

const AI: AiAssessment = { confidence: 0.9, sentiment: 'neutral', language: 'en' };

interface Overrides {
  message?: Partial<RouteInput['message']>;
  conversation?: Partial<RouteInput['conversation']>;
  customer?: RouteInput['customer'];
  ai?: Partial<AiAssessment> | null;
  policy?: RoutingPolicy;
  now?: Date;
}

/** A routine question on WhatsApp in an open WhatsApp conversation, in hours, the AI confident. */
function input(o: Overrides = {}): RouteInput {
  return {
    message: {
      channel: 'whatsapp',
      kind: 'message',
      text: 'What time do you open on Saturday?',
      ...o.message,
    },
    conversation: { status: 'open', channelsBefore: ['whatsapp'], ...o.conversation },
    customer: o.customer ?? {},
    ai: o.ai === null ? undefined : { ...AI, ...o.ai },
    policy: o.policy ?? POLICY,
    now: o.now ?? MONDAY_11_NY,
  };
}

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
    ['a negative sticky window', JSON.stringify({ ...minimal, stickyAgentDays: -1 }), /stickyAgentDays: /],
  ])('rejects %s, naming the field', (_name, text, message) => {
    expect(() => parseRoutingPolicy(text)).toThrow(RoutingPolicyError);
    expect(() => parseRoutingPolicy(text)).toThrow(message);
  });
});

describe('findKeyword', () => {
  it.each([
    ['I want a REFUND', ['refund'], 'refund'],
    ['they refunded half', ['refund*'], 'refund*'],
    ['je veux être remboursé', ['rembourse*'], 'rembourse*'],
    ['give me my money   back', ['money back'], 'money back'],
    ['first match in list order', ['order', 'first'], 'order'],
  ])('finds a keyword in %j', (text, keywords, found) => {
    expect(findKeyword(text, keywords)).toBe(found);
  });

  it.each([
    ['the courtyard is lovely', ['court']],
    ['humanity', ['human']],
    ['refund', ['refunds']],
    ['a.b', ['a*b']],
  ])('finds no whole-word keyword in %j', (text, keywords) => {
    expect(findKeyword(text, keywords)).toBeUndefined();
  });
});

describe('isWithinBusinessHours across time zones', () => {
  const hours = (timezone: string, open: string, close: string, days: string[] = [...WEEKDAYS]) =>
    ({ timezone, hours: [{ days, open, close }], afterHours: { route: 'ai' } }) as BusinessHours;
  const newYork = hours('America/New_York', '09:00', '17:00');
  const tokyo = hours('Asia/Tokyo', '08:00', '17:00');
  const londonNights = hours('Europe/London', '22:00', '06:00', ['fri']);
  const sundayAllDay = hours('UTC', '00:00', '24:00', ['sun']);

  it.each([
    ['New York, Monday 08:30 EDT (12:30 UTC)', newYork, '2025-06-09T12:30:00Z', false],
    ['New York, Monday 09:30 EDT (13:30 UTC)', newYork, '2025-06-09T13:30:00Z', true],
    ['New York, Monday 08:30 EST in winter (13:30 UTC)', newYork, '2025-01-06T13:30:00Z', false],
    ['New York, Monday 09:30 EST in winter (14:30 UTC)', newYork, '2025-01-06T14:30:00Z', true],
    ['New York, Friday 16:59 EDT', newYork, '2025-06-13T20:59:00Z', true],
    ['New York, Friday 17:00 EDT (closing is exclusive)', newYork, '2025-06-13T21:00:00Z', false],
    ['New York, Friday 20:30 EDT, already Saturday in UTC', newYork, '2025-06-14T00:30:00Z', false],
    ['Tokyo, Monday 08:30 JST, still Sunday in UTC', tokyo, '2025-06-08T23:30:00Z', true],
    ['Tokyo, Saturday 08:30 JST, still Friday in UTC', tokyo, '2025-06-06T23:30:00Z', false],
    ['Tokyo, Friday 17:30 JST, Friday morning in UTC', tokyo, '2025-06-13T08:30:00Z', false],
    ['London overnight window, Friday 23:00 BST', londonNights, '2025-06-13T22:00:00Z', true],
    ['London overnight window, Saturday 03:00 BST', londonNights, '2025-06-14T02:00:00Z', true],
    ['London overnight window, Saturday 06:00 BST', londonNights, '2025-06-14T05:00:00Z', false],
    ['London overnight window, Friday 21:00 BST', londonNights, '2025-06-13T20:00:00Z', false],
    ['London overnight window, Sunday 03:00 BST', londonNights, '2025-06-15T02:00:00Z', false],
    ['a whole day to 24:00, Sunday 23:59', sundayAllDay, '2025-06-15T23:59:00Z', true],
    ['a whole day to 24:00, Monday 00:00', sundayAllDay, '2025-06-16T00:00:00Z', false],
  ])('%s: open=%s', (_name, schedule, at, open) => {
    expect(isWithinBusinessHours(schedule, new Date(at))).toBe(open);
  });
});

describe('selectQueue', () => {
  it.each([
    ['a keyword', { channel: 'sms', text: 'My invoices are wrong' }, 'billing'],
    ['a language, by its primary subtag', { channel: 'sms', language: 'es-MX', text: 'hola' }, 'spanish'],
    ['a channel', { channel: 'voice' }, 'voice'],
    ['a channel and a language together', { channel: 'email', language: 'fr' }, 'email-fr'],
    ['a channel without the language', { channel: 'email', language: 'en' }, 'general'],
    ['the language on another channel', { channel: 'sms', language: 'fr' }, 'general'],
    ['no language known', { channel: 'sms', text: 'hola' }, 'general'],
    ['the first match in file order', { channel: 'sms', language: 'es', text: 'mi invoice' }, 'billing'],
    ['nothing: the default queue', { channel: 'messenger', language: 'en', text: 'hi' }, 'general'],
  ] as const)('picks by %s', (_name, message, queue) => {
    expect(selectQueue(POLICY, message)).toBe(queue);
  });

  it('never picks a queue without criteria by matching', () => {
    const policy = policyWith({ defaultQueue: 'night' });
    expect(selectQueue(policy, { channel: 'sms', text: 'hi' })).toBe('night');
  });
});

describe('decideRoute: each rule fires', () => {
  it.each([
    [
      'human_took_over: an agent is assigned',
      input({ conversation: { assignee: 'agent-7', queue: 'billing' } }),
      { target: 'human', queue: 'billing', reason: 'human_took_over' },
      'agent agent-7 has taken this conversation; the AI does not reply in it again',
    ],
    [
      'human_took_over: an agent has replied',
      input({ conversation: { humanReplied: true } }),
      { target: 'human', queue: 'general', reason: 'human_took_over' },
      'an agent has replied in this conversation; the AI does not reply in it again',
    ],
    [
      'awaiting_human: an earlier message was escalated',
      input({ conversation: { routedTo: 'human', queue: 'billing' } }),
      { target: 'human', queue: 'billing', reason: 'awaiting_human' },
      'already escalated; waiting for an agent in billing',
    ],
    [
      'vip: flagged',
      input({ customer: { vip: true } }),
      { target: 'human', queue: 'general', reason: 'vip' },
      'the customer is flagged VIP',
    ],
    [
      'vip: tagged with the policy tag',
      input({ customer: { tags: ['wholesale', 'vip'] } }),
      { target: 'human', queue: 'general', reason: 'vip' },
      'the customer is tagged "vip"',
    ],
    [
      'voicemail',
      input({ message: { channel: 'voice', kind: 'voicemail', text: 'call me back' }, ai: null }),
      { target: 'human', queue: 'voice', reason: 'voicemail' },
      'a voicemail',
    ],
    [
      'voicemail: a call',
      input({ message: { channel: 'voice', kind: 'call', text: undefined }, ai: null }),
      { target: 'human', queue: 'voice', reason: 'voicemail' },
      'a phone call',
    ],
    [
      'must_be_human_topic: a keyword',
      input({ message: { text: 'I just want my money back' } }),
      { target: 'human', queue: 'general', reason: 'must_be_human_topic' },
      'topic "refund" (keyword "money back")',
    ],
    [
      'must_be_human_topic: a keyword that also picks the queue',
      input({ message: { text: 'Where is my refund?' } }),
      { target: 'human', queue: 'billing', reason: 'must_be_human_topic' },
      'topic "refund" (keyword "refund*")',
    ],
    [
      'must_be_human_topic: the AI says so',
      input({ ai: { handoff: { reason: 'must_be_human_topic' } } }),
      { target: 'human', queue: 'general', reason: 'must_be_human_topic' },
      'the AI found a topic for a person',
    ],
    [
      'asked_for_person: a phrase',
      input({ message: { text: 'Can I speak to a REAL person please' } }),
      { target: 'human', queue: 'general', reason: 'asked_for_person' },
      'the customer asked for a person ("real person")',
    ],
    [
      'asked_for_person: the AI says so',
      input({ ai: { handoff: { reason: 'asked_for_person' } } }),
      { target: 'human', queue: 'general', reason: 'asked_for_person' },
      'the AI says the customer asked for a person',
    ],
    [
      'negative_sentiment: the AI reads it',
      input({ ai: { sentiment: 'negative' } }),
      { target: 'human', queue: 'general', reason: 'negative_sentiment' },
      'the AI reads the message as negative',
    ],
    [
      'negative_sentiment: the AI hands off for it',
      input({ ai: { handoff: { reason: 'negative_sentiment' } } }),
      { target: 'human', queue: 'general', reason: 'negative_sentiment' },
      'the AI reads the customer as upset',
    ],
    [
      'channel_switch',
      input({ message: { channel: 'email' }, conversation: { channelsBefore: ['whatsapp', 'sms'] } }),
      { target: 'human', queue: 'general', reason: 'channel_switch' },
      'the customer came back on email about a conversation open on whatsapp, sms',
    ],
    [
      'low_confidence: under the threshold',
      input({ ai: { confidence: 0.69 } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      'AI confidence 0.69 is under the threshold 0.7',
    ],
    [
      'low_confidence: the AI has no answer',
      input({ ai: { handoff: { reason: 'low_confidence' } } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      'the AI has no answer good enough',
    ],
    [
      'low_confidence: the AI cannot answer in the language',
      input({ ai: { handoff: { reason: 'unsupported_language' } } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      "the AI cannot answer in the customer's language",
    ],
    [
      'low_confidence: the AI failed',
      input({ ai: { confidence: 0.95, handoff: { reason: 'model_error' } } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      'the AI failed to answer',
    ],
    [
      'human_took_over: the AI saw an agent in the timeline',
      input({ ai: { handoff: { reason: 'human_took_over' } } }),
      { target: 'human', queue: 'general', reason: 'human_took_over' },
      'the AI found that an agent has taken this conversation; the AI does not reply in it again',
    ],
    [
      'after_hours: to the AI',
      input({ now: SATURDAY_NY }),
      { target: 'ai', queue: 'general', reason: 'after_hours', afterHours: true },
      'outside business hours (America/New_York); the AI answers and says when a person will',
    ],
    [
      'after_hours: to a named queue',
      input({
        now: SATURDAY_NY,
        policy: policyWith({
          businessHours: {
            timezone: 'America/New_York',
            hours: [{ days: [...WEEKDAYS], open: '09:00', close: '17:00' }],
            afterHours: { route: 'queue', queue: 'night' },
          },
        }),
      }),
      { target: 'human', queue: 'night', reason: 'after_hours', afterHours: true },
      'outside business hours (America/New_York); the after-hours queue takes it',
    ],
    [
      'routine',
      input(),
      { target: 'ai', queue: 'general', reason: 'routine', afterHours: false },
      'the AI answers (confidence 0.9)',
    ],
  ])('%s', (_name, routeInput, expected, detail) => {
    const decision = decideRoute(routeInput);
    expect(decision).toMatchObject(expected);
    expect(decision.detail).toBe(detail);
  });
});

describe('decideRoute: each rule does not fire when its condition is missing', () => {
  it.each([
    ['human_took_over: the AI handled the previous message', input({ conversation: { routedTo: 'ai' } })],
    [
      'vip: a tag, but the policy names no VIP tag',
      input({ customer: { tags: ['vip'] }, policy: policyWith({ escalation: {} }) }),
    ],
    ['vip: another tag', input({ customer: { tags: ['gold'], vip: false } })],
    [
      'voicemail: voicemailEscalates is off',
      input({
        message: { channel: 'voice', kind: 'voicemail', text: 'what are your opening hours' },
        conversation: { channelsBefore: ['voice'] },
        policy: escalationWith({ voicemailEscalates: false }),
      }),
    ],
    [
      'must_be_human_topic: a keyword inside a longer word',
      input({ message: { text: 'Is the courtyard open?' } }),
    ],
    [
      'must_be_human_topic: the topics list is emptied',
      input({ message: { text: 'I want my money back' }, policy: escalationWith({ mustBeHumanTopics: {} }) }),
    ],
    ['asked_for_person: a keyword inside a longer word', input({ message: { text: 'Is humanity doomed?' } })],
    [
      'negative_sentiment: negativeSentimentEscalates is off',
      input({ ai: { sentiment: 'negative' }, policy: escalationWith({ negativeSentimentEscalates: false }) }),
    ],
    ['negative_sentiment: positive', input({ ai: { sentiment: 'positive' } })],
    [
      'channel_switch: channelSwitchEscalates is off',
      input({ message: { channel: 'email' }, policy: escalationWith({ channelSwitchEscalates: false }) }),
    ],
    [
      'channel_switch: a channel already used',
      input({ conversation: { channelsBefore: ['sms', 'whatsapp'] } }),
    ],
    ['channel_switch: the first message of a conversation', input({ conversation: { channelsBefore: [] } })],
    [
      'channel_switch: the conversation is not open',
      input({ message: { channel: 'email' }, conversation: { status: 'resolved' } }),
    ],
    ['low_confidence: exactly at the threshold', input({ ai: { confidence: 0.7 } })],
    ['low_confidence: no assessment yet', input({ ai: null })],
    [
      'low_confidence: a lower threshold',
      input({ ai: { confidence: 0.5 }, policy: escalationWith({ aiConfidenceThreshold: 0.4 }) }),
    ],
    [
      'after_hours: the policy has no business hours',
      input({ now: SATURDAY_NY, policy: policyWith({ businessHours: undefined }) }),
    ],
  ])('%s: routine', (_name, routeInput) => {
    expect(decideRoute(routeInput)).toMatchObject({ target: 'ai', reason: 'routine', afterHours: false });
  });
});

describe('decideRoute: precedence', () => {
  it.each([
    [
      'a human took over beats everything, and keeps the conversation queue',
      input({
        conversation: { assignee: 'agent-7', queue: 'spanish', channelsBefore: ['sms'] },
        customer: { vip: true },
        message: { text: 'I want a refund, get me a real person', kind: 'voicemail', channel: 'voice' },
        ai: { confidence: 0.1, sentiment: 'negative' },
        now: SATURDAY_NY,
      }),
      'human_took_over',
      'spanish',
    ],
    [
      'awaiting a human beats VIP',
      input({ conversation: { routedTo: 'human', queue: 'billing' }, customer: { vip: true } }),
      'awaiting_human',
      'billing',
    ],
    [
      'VIP beats voicemail',
      input({ customer: { vip: true }, message: { channel: 'voice', kind: 'voicemail' } }),
      'vip',
      'voice',
    ],
    [
      'voicemail beats a topic in the transcript',
      input({ message: { channel: 'voice', kind: 'voicemail', text: 'I need a refund' } }),
      'voicemail',
      'billing',
    ],
    [
      'a topic beats asking for a person',
      input({ message: { text: 'Refund me or let me talk to a real person' } }),
      'must_be_human_topic',
      'billing',
    ],
    [
      'asking for a person beats negative sentiment',
      input({ message: { text: 'Get me a human now' }, ai: { sentiment: 'negative' } }),
      'asked_for_person',
      'general',
    ],
    [
      'negative sentiment beats a channel switch',
      input({ message: { channel: 'sms' }, ai: { sentiment: 'negative' } }),
      'negative_sentiment',
      'general',
    ],
    [
      'a channel switch beats low confidence',
      input({ message: { channel: 'sms' }, ai: { confidence: 0.2 } }),
      'channel_switch',
      'general',
    ],
    [
      'low confidence beats after hours',
      input({ ai: { confidence: 0.2 }, now: SATURDAY_NY }),
      'low_confidence',
      'general',
    ],
    [
      'topics are tried in policy order',
      input({ message: { text: 'My lawyer says cancel it' } }),
      'must_be_human_topic',
      'general',
    ],
  ])('%s', (_name, routeInput, reason, queue) => {
    const decision = decideRoute(routeInput);
    expect(decision.reason).toBe(reason);
    expect(decision.target).toBe('human');
    expect(decision.queue).toBe(queue);
  });

  it('names the first topic in policy order', () => {
    expect(decideRoute(input({ message: { text: 'My lawyer says cancel it' } })).detail).toBe(
      'topic "cancel" (keyword "cancel*")',
    );
  });

  it('escalates after hours too, flagging that the queue is closed', () => {
    expect(decideRoute(input({ customer: { vip: true }, now: SATURDAY_NY }))).toEqual({
      target: 'human',
      queue: 'general',
      reason: 'vip',
      detail: 'the customer is flagged VIP',
      afterHours: true,
    });
  });

  it('uses the language the AI detected over the customer profile', () => {
    const decision = decideRoute(
      input({ customer: { language: 'en' }, ai: { language: 'es' }, now: SATURDAY_NY }),
    );
    expect(decision.queue).toBe('spanish');
  });

  it('routes on a responder result as the responder returns it', () => {
    const result: ResponderResult = {
      reply: 'A colleague will answer here shortly.',
      confidence: 0.9,
      handoff: { reason: 'asked_for_person', summary: 'Asked on WhatsApp for a person about an order.' },
      language: 'es',
      sentiment: 'neutral',
    };
    expect(decideRoute({ ...input(), ai: result })).toEqual({
      target: 'human',
      queue: 'spanish',
      reason: 'asked_for_person',
      detail: 'the AI says the customer asked for a person',
      afterHours: false,
    });
  });

  it('falls back to the customer language before the AI has assessed', () => {
    expect(decideRoute(input({ customer: { language: 'es-ES' }, ai: null })).queue).toBe('spanish');
  });
});

describe('decideRoute: business hours of the queue', () => {
  const policy = policyWith({
    queues: [
      {
        name: 'spanish',
        languages: ['es'],
        businessHours: {
          timezone: 'Europe/Madrid',
          hours: [{ days: [...WEEKDAYS], open: '09:00', close: '18:00' }],
          afterHours: { route: 'queue', queue: 'night' },
        },
      },
      { name: 'general' },
      { name: 'night' },
    ],
  });
  // Monday 9 June 2025, 17:30 UTC: 19:30 in Madrid (closed), 13:30 in New York (open).
  const now = new Date('2025-06-09T17:30:00.000Z');

  it('closes a queue on its own time zone while the policy hours are open', () => {
    expect(decideRoute(input({ policy, now, ai: { language: 'es' } }))).toMatchObject({
      target: 'human',
      queue: 'night',
      reason: 'after_hours',
      afterHours: true,
    });
  });

  it('keeps the policy hours for the other queues', () => {
    expect(decideRoute(input({ policy, now, ai: { language: 'en' } }))).toMatchObject({
      target: 'ai',
      queue: 'general',
      reason: 'routine',
      afterHours: false,
    });
  });

  it('opens the queue on Madrid mornings, before New York opens', () => {
    // 07:30 UTC: 09:30 in Madrid, 03:30 in New York.
    const morning = new Date('2025-06-09T07:30:00.000Z');
    expect(decideRoute(input({ policy, now: morning, ai: { language: 'es' } }))).toMatchObject({
      target: 'ai',
      queue: 'spanish',
      reason: 'routine',
    });
  });
});
