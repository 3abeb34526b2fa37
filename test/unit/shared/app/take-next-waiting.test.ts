import { describe, expect, it } from 'vitest';
import { takeNextWaiting } from '#shared/app/take-next-waiting.js';
import type { Agent, AgentClaim } from '#shared/domain/assignment.js';
import type { Conversation } from '#shared/domain/timeline.js';

const agent: Agent = {
  id: 'agent-7',
  presence: 'online',
  queues: ['billing'],
  languages: ['en'],
  capacity: 3,
  openConversations: 0,
  connectedUntil: '2025-06-09T10:10:00.000Z',
};
const waiting = (id: string, queue: string | undefined, waitingSince: string | undefined): Conversation => ({
  id,
  customerId: 'cu_1',
  status: 'open',
  createdAt: '2025-06-09T06:00:00.000Z',
  channels: ['whatsapp'],
  channelSwitch: false,
  ...(queue ? { queue } : {}),
  ...(waitingSince ? { waitingSince } : {}),
});

function deps(
  agents: Agent[],
  conversations: Conversation[],
  takenByOthers: string[] = [],
  /** What the agent's item answers each claim in turn (claimed when the list runs out). */
  claimAnswers: AgentClaim[] = [],
) {
  const assigned: unknown[][] = [];
  const inboxCalls: unknown[] = [];
  const claims: unknown[][] = [];
  return {
    assigned,
    inboxCalls,
    claims,
    store: {
      getAgentNow: async (id: string) => agents.find((a) => a.id === id),
      claimAgentSlot: async (...args: [string, string, number]): Promise<AgentClaim> => {
        claims.push(args);
        return claimAnswers.shift() ?? { claimed: true };
      },
      inbox: async (filter: unknown, page: unknown) => {
        inboxCalls.push({ filter, page });
        return { items: conversations, cursor: null };
      },
    },
    admin: {
      assign: async (...args: unknown[]) => {
        assigned.push(args);
        return !takenByOthers.includes(args[0] as string);
      },
    },
    clock: { now: () => new Date('2025-06-09T10:00:00.000Z') },
  };
}

describe('takeNextWaiting', () => {
  it('assigns the longest-waiting unassigned conversations of the agent\u2019s queues, as routing, up to their room', async () => {
    const d = deps(
      [{ ...agent, openConversations: 1 }],
      [
        waiting('cv_new', 'billing', '2025-06-09T09:00:00.000Z'),
        waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z'),
        waiting('cv_newest', 'billing', '2025-06-09T09:30:00.000Z'),
        waiting('cv_other', 'legal', '2025-06-09T07:00:00.000Z'),
        waiting('cv_unqueued', undefined, '2025-06-09T06:00:00.000Z'),
      ],
    );
    expect(await takeNextWaiting(d, 'agent-7')).toBe(2);
    // One page of their queues' unassigned inbox: their room (2) and a few more, not 200.
    expect(d.inboxCalls).toEqual([
      { filter: { status: 'open', assignee: 'unassigned', queues: ['billing'] }, page: { limit: 7 } },
    ]);
    expect(d.assigned).toEqual([
      [
        'cv_old',
        { agentId: 'agent-7' },
        'routing',
        '2025-06-09T10:00:00.000Z',
        'assigned:cv_old:2025-06-09T10:00:00.000Z',
        { ifUnassigned: true, release: ['agent-7'] },
      ],
      [
        'cv_new',
        { agentId: 'agent-7' },
        'routing',
        '2025-06-09T10:00:00.000Z',
        'assigned:cv_new:2025-06-09T10:00:00.000Z',
        { ifUnassigned: true, release: ['agent-7'] },
      ],
    ]);
    expect(d.claims).toEqual([
      ['agent-7', 'cv_old', 1],
      ['agent-7', 'cv_new', 2],
    ]);
  });

  it.each([
    ['away', { presence: 'away' as const }],
    ['online with no console', { connectedUntil: undefined }],
    ['online, console closed past the grace', { connectedUntil: '2025-06-09T09:59:00.000Z' }],
    ['full', { openConversations: 3 }],
    ['in no queue', { queues: [] }],
  ])('reads no inbox for an agent who cannot take any: %s', async (_case, change) => {
    const d = deps([{ ...agent, ...change }], [waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z')]);
    expect(await takeNextWaiting(d, 'agent-7')).toBe(0);
    expect(d.inboxCalls).toEqual([]);
    expect(d.assigned).toEqual([]);
  });

  it('claims a slot on the agent’s item first: refused (a hand-off took it), nothing is assigned', async () => {
    const d = deps(
      [{ ...agent, openConversations: 2 }],
      [waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z')],
      [],
      [{ claimed: false, agent: { ...agent, openConversations: 3 } }],
    );
    await takeNextWaiting(d, 'agent-7');
    expect(d.claims).toEqual([['agent-7', 'cv_old', 2]]);
    expect(d.assigned).toEqual([]);
  });

  it('claims again on the agent as they are when the refusal leaves them room', async () => {
    const d = deps(
      [agent],
      [waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z')],
      [],
      [{ claimed: false, agent: { ...agent, openConversations: 1 } }],
    );
    await takeNextWaiting(d, 'agent-7');
    expect(d.claims).toEqual([
      ['agent-7', 'cv_old', 0],
      ['agent-7', 'cv_old', 1],
    ]);
    expect(d.assigned.map((args) => args[0])).toEqual(['cv_old']);
  });

  it('takes the next in line when another agent took the longest-waiting one first', async () => {
    const d = deps(
      [agent],
      [
        waiting('cv_new', 'billing', '2025-06-09T09:00:00.000Z'),
        waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z'),
      ],
      ['cv_old'],
    );
    await takeNextWaiting(d, 'agent-7');
    expect(d.assigned.map((args) => args[0])).toEqual(['cv_old', 'cv_new']);
  });

  it('reads the agent strongly, not from the list index, which may still show them full after their own resolve', async () => {
    const freedUp = { ...agent, openConversations: 2 };
    const d = {
      ...deps([freedUp], [waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z')]),
    };
    const store = {
      ...d.store,
      // What the index may answer just after the resolve: the load before it, at capacity.
      listAgents: async () => [{ ...agent, openConversations: 3 }],
    };
    await takeNextWaiting({ ...d, store }, 'agent-7');
    expect(d.assigned.map((args) => args[0])).toEqual(['cv_old']);
  });

  it('takes nothing for an agent at capacity', async () => {
    const d = deps(
      [{ ...agent, openConversations: 3 }],
      [waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z')],
    );
    await takeNextWaiting(d, 'agent-7');
    expect(d.assigned).toEqual([]);
  });

  it('takes nothing for an agent online with no console open (their lease lapsed)', async () => {
    const d = deps(
      [{ ...agent, connectedUntil: '2025-06-09T09:58:00.000Z' }],
      [waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z')],
    );
    await takeNextWaiting(d, 'agent-7');
    expect(d.assigned).toEqual([]);
  });

  it('gives up when everything waiting was taken meanwhile', async () => {
    const d = deps([agent], [waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z')], ['cv_old']);
    await takeNextWaiting(d, 'agent-7');
    expect(d.assigned.map((args) => args[0])).toEqual(['cv_old']);
  });

  it('assigns nothing to an agent who is not registered', async () => {
    const d = deps([], [waiting('cv_old', 'billing', '2025-06-09T08:00:00.000Z')]);
    await takeNextWaiting(d, 'agent-7');
    expect(d.inboxCalls).toEqual([]);
    expect(d.assigned).toEqual([]);
  });

  it('assigns nothing when nothing waits in the agent\u2019s queues', async () => {
    const d = deps([agent], [waiting('cv_other', 'legal', '2025-06-09T07:00:00.000Z')]);
    await takeNextWaiting(d, 'agent-7');
    expect(d.assigned).toEqual([]);
  });
});
