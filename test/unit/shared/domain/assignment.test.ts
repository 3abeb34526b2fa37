import { describe, expect, it } from 'vitest';
import {
  type Agent,
  type ChooseAgentInput,
  chooseAgent,
  nextWaitingConversation,
  type WaitingConversation,
} from '#shared/domain/assignment.js';

const now = new Date('2025-06-10T12:00:00.000Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
/** A console lease still running at `now`: a live socket open, or closed within the grace. */
const connectedUntil = '2025-06-10T12:05:00.000Z';

const ana: Agent = {
  id: 'ana',
  queues: ['general', 'billing'],
  languages: ['en', 'es'],
  capacity: 3,
  presence: 'online',
  openConversations: 1,
  connectedUntil,
};
const bo: Agent = {
  id: 'bo',
  queues: ['general'],
  languages: ['en'],
  capacity: 2,
  presence: 'online',
  openConversations: 0,
  connectedUntil,
};
const cy: Agent = {
  id: 'cy',
  queues: ['general'],
  languages: ['en', 'fr'],
  capacity: 2,
  presence: 'away',
  openConversations: 0,
  connectedUntil,
};
const di: Agent = {
  id: 'di',
  queues: ['billing'],
  languages: ['en'],
  capacity: 1,
  presence: 'online',
  openConversations: 1,
  connectedUntil,
};
const AGENTS = [ana, bo, cy, di];

const choose = (o: Partial<ChooseAgentInput> = {}) =>
  chooseAgent({ agents: AGENTS, conversation: { queue: 'general' }, stickyDays: 30, now, ...o });

describe('chooseAgent', () => {
  it.each([
    [
      'the agent who last helped, within the days, online and under capacity',
      { lastHelpedBy: { agentId: 'ana', at: daysAgo(10) } },
      { agentId: 'ana', reason: 'last_helped' },
    ],
    [
      'the agent who last helped exactly stickyDays ago',
      { lastHelpedBy: { agentId: 'ana', at: daysAgo(30) } },
      { agentId: 'ana', reason: 'last_helped' },
    ],
    [
      'the agent who last helped, even outside the queue',
      { conversation: { queue: 'billing' }, lastHelpedBy: { agentId: 'bo', at: daysAgo(1) } },
      { agentId: 'bo', reason: 'last_helped' },
    ],
    [
      'the least loaded when the last helper is too long ago',
      { lastHelpedBy: { agentId: 'ana', at: daysAgo(31) } },
      { agentId: 'bo', reason: 'least_loaded' },
    ],
    [
      'the least loaded when the last helper is away',
      { lastHelpedBy: { agentId: 'cy', at: daysAgo(1) } },
      { agentId: 'bo', reason: 'least_loaded' },
    ],
    [
      'the least loaded of the queue when the last helper is full',
      { conversation: { queue: 'billing' }, lastHelpedBy: { agentId: 'di', at: daysAgo(1) } },
      { agentId: 'ana', reason: 'least_loaded' },
    ],
    [
      'the least loaded when the last helper does not speak the language',
      { conversation: { queue: 'general', language: 'es' }, lastHelpedBy: { agentId: 'bo', at: daysAgo(1) } },
      { agentId: 'ana', reason: 'least_loaded' },
    ],
    [
      'the least loaded when stickiness is off',
      { stickyDays: 0, lastHelpedBy: { agentId: 'ana', at: now.toISOString() } },
      { agentId: 'bo', reason: 'least_loaded' },
    ],
    [
      'the least loaded when the last helper is online with no console open (their lease lapsed)',
      {
        agents: [{ ...ana, connectedUntil: daysAgo(1) }, bo],
        lastHelpedBy: { agentId: 'ana', at: daysAgo(1) },
      },
      { agentId: 'bo', reason: 'least_loaded' },
    ],
    [
      'an online agent whose socket closed within the grace (a reload)',
      { agents: [{ ...bo, connectedUntil: new Date(now.getTime() + 1).toISOString() }] },
      { agentId: 'bo', reason: 'least_loaded' },
    ],
    [
      'the least loaded when the last helper is no longer an agent',
      { lastHelpedBy: { agentId: 'gone', at: daysAgo(1) } },
      { agentId: 'bo', reason: 'least_loaded' },
    ],
    [
      'only agents who speak the language (by primary subtag)',
      { conversation: { queue: 'general', language: 'es-MX' } },
      { agentId: 'ana', reason: 'least_loaded' },
    ],
  ] as const)('picks %s', (_name, overrides, expected) => {
    expect(choose(overrides)).toEqual(expected);
  });

  it.each([
    [
      'every agent of the queue is full',
      { conversation: { queue: 'billing' }, agents: [{ ...ana, openConversations: 3 }, di] },
    ],
    ['the only speaker of the language is away', { conversation: { queue: 'general', language: 'fr' } }],
    ['nobody works the queue', { conversation: { queue: 'legal' } }],
    ['nobody is online', { agents: AGENTS.map((a) => ({ ...a, presence: 'away' as const })) }],
    [
      'the online agents have no console open (never opened, or their lease ended now)',
      {
        agents: [
          { ...ana, connectedUntil: undefined },
          { ...bo, connectedUntil: now.toISOString() },
        ],
      },
    ],
  ])('makes the conversation wait when %s', (_name, overrides) => {
    expect(choose(overrides)).toEqual({ waiting: true });
  });

  it('breaks a tie on load by room left, then by id', () => {
    const agents: Agent[] = [
      { ...bo, id: 'zed', capacity: 5, openConversations: 1 },
      { ...bo, id: 'amy', capacity: 2, openConversations: 1 },
      { ...bo, id: 'max', capacity: 5, openConversations: 1 },
    ];
    expect(choose({ agents })).toEqual({ agentId: 'max', reason: 'least_loaded' });
    expect(choose({ agents: agents.slice(1) })).toEqual({ agentId: 'max', reason: 'least_loaded' });
  });
});

describe('an agent who set no languages (the console registers one so)', () => {
  const any: Agent = { ...bo, id: 'eva', languages: [] };

  it.each([
    ['a detected language', { queue: 'general', language: 'fr' }],
    ['no language found', { queue: 'general' }],
  ])('is handed a conversation in %s when nobody else has room', (_name, conversation) => {
    expect(choose({ agents: [any, { ...ana, openConversations: 3 }], conversation })).toEqual({
      agentId: 'eva',
      reason: 'least_loaded',
    });
  });

  it('comes after an available speaker of the language, however loaded', () => {
    const agents = [any, { ...ana, openConversations: 2 }];
    expect(choose({ agents, conversation: { queue: 'general', language: 'es' } })).toEqual({
      agentId: 'ana',
      reason: 'least_loaded',
    });
    // With no language to speak, load alone decides, as before.
    expect(choose({ agents })).toEqual({ agentId: 'eva', reason: 'least_loaded' });
  });

  it('is kept as the customer’s last helper whatever the language', () => {
    const lastHelpedBy = { agentId: 'eva', at: daysAgo(1) };
    expect(
      choose({ agents: [any, bo], conversation: { queue: 'general', language: 'de' }, lastHelpedBy }),
    ).toEqual({ agentId: 'eva', reason: 'last_helped' });
  });

  it('takes a waiting conversation in any language', () => {
    const waiting: WaitingConversation[] = [
      { conversationId: 'c2', queue: 'general', waitingSince: '2025-06-10T09:55:00.000Z', language: 'fr' },
    ];
    expect(nextWaitingConversation(waiting, any, now)?.conversationId).toBe('c2');
  });
});

describe('nextWaitingConversation', () => {
  const waiting: WaitingConversation[] = [
    { conversationId: 'c3', queue: 'general', waitingSince: '2025-06-10T10:05:00.000Z' },
    { conversationId: 'c1', queue: 'billing', waitingSince: '2025-06-10T10:00:00.000Z' },
    { conversationId: 'c2', queue: 'general', waitingSince: '2025-06-10T09:55:00.000Z', language: 'fr' },
    { conversationId: 'c4', queue: 'legal', waitingSince: '2025-06-10T09:00:00.000Z' },
  ];

  it('gives an agent who frees up the oldest conversation waiting in their queues', () => {
    const freed: Agent = { ...ana, openConversations: 2 };
    expect(nextWaitingConversation(waiting, freed, now)?.conversationId).toBe('c1');
  });

  it('skips queues the agent does not work and languages they do not speak', () => {
    expect(nextWaitingConversation(waiting, bo, now)?.conversationId).toBe('c3');
  });

  it('takes a conversation in a language the agent speaks', () => {
    const online: Agent = { ...cy, presence: 'online' };
    expect(nextWaitingConversation(waiting, online, now)?.conversationId).toBe('c2');
  });

  it('breaks a tie on waiting time by conversation id', () => {
    const tied: WaitingConversation[] = [
      { conversationId: 'c9', queue: 'general', waitingSince: '2025-06-10T10:00:00.000Z' },
      { conversationId: 'c5', queue: 'general', waitingSince: '2025-06-10T10:00:00.000Z' },
    ];
    expect(nextWaitingConversation(tied, bo, now)?.conversationId).toBe('c5');
  });

  it.each([
    ['is still full', { ...ana, openConversations: 3 }],
    ['is away', { ...ana, presence: 'away' as const }],
    ['is online with no console open', { ...ana, openConversations: 0, connectedUntil: undefined }],
    ['works none of the waiting queues', { ...ana, queues: ['vip'] }],
  ])('gives nothing to an agent who %s', (_name, agent) => {
    expect(nextWaitingConversation(waiting, agent, now)).toBeUndefined();
  });

  it('gives nothing when nothing waits', () => {
    expect(nextWaitingConversation([], ana, now)).toBeUndefined();
  });
});
