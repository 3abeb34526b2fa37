import { describe, expect, it } from 'vitest';
import {
  type AutomationConditions,
  type AutomationSubject,
  AutomationsSchema,
  failedCondition,
  otherChannels,
  rulesFor,
} from '#shared/domain/automations/rules.js';
import { clockTriggers, isSuperseded } from '#shared/domain/automations/triggers.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import type { Conversation } from '#shared/domain/timeline.js';

const NOW = new Date('2026-06-10T10:00:00.000Z'); // a Wednesday, 12:00 in Paris
const conversation: Conversation = {
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  channel: 'whatsapp',
  createdAt: '2026-06-10T09:00:00.000Z',
  lastMessageAt: '2026-06-10T09:00:00.000Z',
  channels: ['whatsapp'],
  channelSwitch: false,
  queue: 'billing',
};
const hours = {
  timezone: 'Europe/Paris',
  hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, open: '09:00', close: '17:00' }],
  holidays: [] as string[],
  afterHours: { route: 'ai' as const },
};
const subject = (
  over: Partial<Conversation> = {},
  tags: string[] = ['vip'],
  now = NOW,
): AutomationSubject => ({
  conversation: { ...conversation, ...over },
  tags,
  now,
  businessHours: { ...hours, hours: hours.hours.map((h) => ({ ...h, days: [...h.days] })), overrides: {} },
});
const fails = (conditions: AutomationConditions, s = subject()) => failedCondition(conditions, s);

describe('automation conditions', () => {
  it('holds with no conditions, and when every stated one does', () => {
    expect(fails({})).toBeUndefined();
    expect(
      fails({
        channels: ['whatsapp', 'sms'],
        queues: ['billing'],
        tags: ['vip'],
        status: 'open',
        waitingOn: 'agent',
        businessHours: true,
      }),
    ).toBeUndefined();
  });

  it('names each condition that does not hold', () => {
    expect(fails({ channels: ['email'] })).toBe('channels');
    expect(fails({ queues: ['general'] })).toBe('queues');
    expect(fails({ queues: ['general'] }, subject({ queue: undefined }))).toBe('queues');
    expect(fails({ tags: ['gold'] })).toBe('tags');
    expect(fails({ tags: ['vip'] }, subject({}, []))).toBe('tags');
    expect(fails({ status: 'resolved' })).toBe('status');
    expect(fails({ status: 'open' }, subject({ status: 'resolved' }))).toBe('status');
    expect(
      fails({ status: 'snoozed' }, subject({ snoozedUntil: '2026-06-11T00:00:00.000Z' })),
    ).toBeUndefined();
    expect(fails({ status: 'open' }, subject({ snoozedUntil: '2026-06-11T00:00:00.000Z' }))).toBe('status');
    expect(fails({ waitingOn: 'customer' })).toBe('waitingOn');
    expect(fails({ businessHours: false })).toBe('businessHours');
  });

  it('reads who the conversation waits on from the running SLA, else from the last word', () => {
    const sla = {
      policy: 'p',
      status: 'active' as const,
      breaches: [],
      warnings: {},
      waitingOn: 'customer' as const,
      responded: true,
      version: 1,
      updatedAt: NOW.toISOString(),
    };
    expect(fails({ waitingOn: 'customer' }, subject({ sla }))).toBeUndefined();
    expect(fails({ waitingOn: 'agent' }, subject({ sla }))).toBe('waitingOn');
    expect(
      fails({ waitingOn: 'customer' }, subject({ awaitingCustomerSince: NOW.toISOString() })),
    ).toBeUndefined();
    expect(fails({ waitingOn: 'agent' }, subject({ awaitingCustomerSince: NOW.toISOString() }))).toBe(
      'waitingOn',
    );
  });

  it('checks business hours on their own clock (closed at 20:00 Paris, and without hours always open)', () => {
    const evening = subject({}, [], new Date('2026-06-10T18:00:00.000Z'));
    expect(fails({ businessHours: true }, evening)).toBe('businessHours');
    expect(fails({ businessHours: false }, evening)).toBeUndefined();
    expect(fails({ businessHours: false }, { ...evening, businessHours: undefined })).toBe('businessHours');
  });
});

describe('the automations section', () => {
  const base = { defaultQueue: 'general', queues: [{ name: 'general' }] };
  it('parses a rule with a delay, conditions and each action, and defaults a reply to the last channel', () => {
    const policy = parseRoutingPolicy(
      JSON.stringify({
        ...base,
        automations: [
          {
            name: 'follow-up',
            trigger: 'message_received',
            delay: 'PT25H',
            conditions: { channels: ['whatsapp'], waitingOn: 'agent' },
            actions: [
              { type: 'reply', text: 'Hi' },
              { type: 'reply', channel: 'other', text: 'Hi' },
              { type: 'note', text: 'n' },
              { type: 'assign', queue: 'general' },
              { type: 'tag', tags: ['x'] },
              { type: 'snooze', for: 'PT1H' },
              { type: 'resolve' },
            ],
          },
        ],
      }),
    );
    expect(policy.automations[0]?.actions[0]).toEqual({ type: 'reply', text: 'Hi', channel: 'last' });
    expect(rulesFor(policy.automations, 'message_received')).toHaveLength(1);
    expect(rulesFor(policy.automations, 'agent_replied')).toHaveLength(0);
    expect(parseRoutingPolicy(JSON.stringify(base)).automations).toEqual([]);
  });

  it('refuses a bad trigger, delay, action or a name used twice, naming the field', () => {
    const bad = (automations: unknown) => () => parseRoutingPolicy(JSON.stringify({ ...base, automations }));
    const rule = { name: 'r', trigger: 'message_received', actions: [{ type: 'note', text: 'n' }] };
    expect(bad([{ ...rule, trigger: 'hourly' }])).toThrow(/automations\[0\]\.trigger/);
    expect(bad([{ ...rule, delay: 'P1M' }])).toThrow(/automations\[0\]\.delay/);
    expect(bad([{ ...rule, actions: [{ type: 'reply', channel: 'fax', text: 'x' }] }])).toThrow(/actions/);
    expect(bad([{ ...rule, actions: [{ type: 'reply' }] }])).toThrow(/text or a template/);
    expect(bad([rule, rule])).toThrow(/automations\[1\]\.name: "r" is named twice/);
    expect(AutomationsSchema.safeParse([{ ...rule, conditions: { mood: 'x' } }]).success).toBe(false);
  });

  it('refuses a reply no channel it goes out on can carry, naming the rule; leaves the unknown to run time', () => {
    const template = { name: 'follow_up', language: 'en' };
    const reply = (action: Record<string, unknown>, conditions: Record<string, unknown> = {}) => [
      { name: 'closed', trigger: 'message_received', conditions, actions: [{ type: 'reply', ...action }] },
    ];
    const bad = (automations: unknown) => () => parseRoutingPolicy(JSON.stringify({ ...base, automations }));
    // A template with text goes out on no channel; a template on a named channel other than WhatsApp.
    expect(bad(reply({ template, text: 'Hi', channel: 'whatsapp' }))).toThrow(
      /automations\[0\]\.actions\[0\]: rule "closed": a WhatsApp template is sent on its own/,
    );
    expect(bad(reply({ template, channel: 'email' }))).toThrow(/rule "closed": templates are WhatsApp's/);
    // `last` with the rule's channels known: each of them must carry it.
    expect(bad(reply({ template }, { channels: ['whatsapp', 'sms'] }))).toThrow(
      /rule "closed": on sms \(conditions\.channels\): templates are WhatsApp's/,
    );
    const ok = (automations: unknown) => parseRoutingPolicy(JSON.stringify({ ...base, automations }));
    expect(ok(reply({ template }, { channels: ['whatsapp'] })).automations).toHaveLength(1);
    expect(ok(reply({ template })).automations).toHaveLength(1);
    expect(ok(reply({ template, channel: 'other' })).automations).toHaveLength(1);
    expect(ok(reply({ text: 'Hi', channel: 'messenger' })).automations).toHaveLength(1);
  });
});

describe('triggers', () => {
  it('a first message opens the conversation; later ones are only received', () => {
    const first = clockTriggers(conversation, {
      type: 'inbound',
      conversationId: 'cv_1',
      at: '2026-06-10T09:00:00.000Z',
    });
    expect(first.map((t) => t.trigger)).toEqual(['conversation_opened', 'message_received']);
    const later = clockTriggers(conversation, {
      type: 'inbound',
      conversationId: 'cv_1',
      at: '2026-06-10T09:30:00.000Z',
    });
    expect(later.map((t) => t.trigger)).toEqual(['message_received']);
  });

  it('messages queued before the conversation was written open it once, at its creation', () => {
    // A call's ringing, voicemail and hang-up (or a phone's queued WhatsApp messages) all timed before the
    // resolver wrote the conversation: each reads as its first message, but the conversation opened once.
    const opened = ['2026-06-10T08:59:58.000Z', '2026-06-10T08:59:59.000Z', '2026-06-10T09:00:00.000Z'].map(
      (at) =>
        clockTriggers(conversation, { type: 'inbound', conversationId: 'cv_1', at }).find(
          (t) => t.trigger === 'conversation_opened',
        ),
    );
    expect(opened).toEqual(
      Array(3).fill({
        trigger: 'conversation_opened',
        conversationId: 'cv_1',
        key: conversation.createdAt,
        at: conversation.createdAt,
      }),
    );
  });

  it('the first word in a conversation a call’s ringing opened earlier opens it, at that word', () => {
    const at = '2026-06-10T09:30:00.000Z';
    const first = clockTriggers(conversation, {
      type: 'inbound',
      conversationId: 'cv_1',
      at,
      firstWord: true,
    });
    expect(first.map((t) => [t.trigger, t.key])).toEqual([
      ['conversation_opened', at],
      ['message_received', at],
    ]);
    // Timed before the conversation was written, it is the opening at its creation as before.
    const early = clockTriggers(conversation, {
      type: 'inbound',
      conversationId: 'cv_1',
      at: '2026-06-10T08:59:59.000Z',
      firstWord: true,
    });
    expect(early[0]).toMatchObject({ trigger: 'conversation_opened', key: conversation.createdAt });
  });

  it('a message that reopens a resolved conversation opens it again', () => {
    const reopened = clockTriggers(conversation, {
      type: 'inbound',
      conversationId: 'cv_1',
      at: '2026-06-12T09:30:00.000Z',
      reopened: true,
    });
    expect(reopened.map((t) => [t.trigger, t.key])).toEqual([
      ['conversation_opened', '2026-06-12T09:30:00.000Z'],
      ['message_received', '2026-06-12T09:30:00.000Z'],
    ]);
  });

  it('mail a system sent for a person (automated) fires no trigger: an automation answering it may loop', () => {
    // A Jira/ServiceNow notification that opens or reopens the conversation: RFC 3834, never answer it automatically.
    for (const reopened of [false, true]) {
      const event = {
        type: 'inbound' as const,
        conversationId: 'cv_1',
        at: '2026-06-12T09:30:00.000Z',
        automated: true,
      };
      expect(clockTriggers(conversation, { ...event, reopened })).toEqual([]);
    }
    expect(
      clockTriggers(conversation, {
        type: 'inbound',
        conversationId: 'cv_1',
        at: conversation.createdAt,
        automated: true,
      }),
    ).toEqual([]);
  });

  it('an agent reply is agent_replied (the AI and automations are not); a resolve is conversation_resolved', () => {
    const at = NOW.toISOString();
    expect(
      clockTriggers(conversation, { type: 'reply', conversationId: 'cv_1', at, author: 'agent' }),
    ).toEqual([{ trigger: 'agent_replied', conversationId: 'cv_1', key: at, at }]);
    expect(clockTriggers(conversation, { type: 'reply', conversationId: 'cv_1', at, author: 'ai' })).toEqual(
      [],
    );
    expect(clockTriggers(conversation, { type: 'resolved', conversationId: 'cv_1', at })[0]?.trigger).toBe(
      'conversation_resolved',
    );
  });

  it('a delayed message rule is superseded once the customer writes again', () => {
    const occurrence = {
      trigger: 'message_received' as const,
      conversationId: 'cv_1',
      key: 'k',
      at: '2026-06-10T08:00:00.000Z',
    };
    expect(isSuperseded(conversation, occurrence)).toBe(true);
    expect(isSuperseded(conversation, { ...occurrence, at: '2026-06-10T09:00:00.000Z' })).toBe(false);
    expect(isSuperseded(conversation, { ...occurrence, trigger: 'agent_replied' })).toBe(false);
  });
});

const T = '2026-06-10T09:00:00.000Z';

describe('channel other', () => {
  it('lists the channels the customer wrote on but the last (and voice), the most recent first', () => {
    const order = otherChannels(
      {
        whatsapp: '2026-06-10T09:00:00.000Z',
        email: '2026-06-01T00:00:00.000Z',
        sms: '2026-06-05T00:00:00.000Z',
      },
      'whatsapp',
    );
    expect(order).toEqual(['sms', 'email']);
    expect(otherChannels({ voice: T, whatsapp: T }, 'whatsapp')).toEqual([]);
  });
});
