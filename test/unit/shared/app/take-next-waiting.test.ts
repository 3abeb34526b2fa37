import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, MAX_PAGES, takeNextWaiting } from '#shared/app/take-next-waiting.js';
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
  /** The waiting inbox, paged as asked (a cursor is where the next page starts). */
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
      inbox: async (filter: unknown, page: { limit: number; cursor?: string }) => {
        inboxCalls.push({ filter, page });
        const from = page.cursor ? Number(page.cursor) : 0;
        const to = from + page.limit;
        return {
          items: conversations.slice(from, to),
          cursor: to < conversations.length ? String(to) : null,
        };
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

  /** `count` conversations waiting in billing, a minute apart from minute `from` of the morning. */
  const inBilling = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => {
      const minute = from + i;
      const at = `2025-06-09T0${Math.floor(minute / 60)}:${String(minute % 60).padStart(2, '0')}:00.000Z`;
      return waiting(`cv_${minute}`, 'billing', at);
    });

  it('reads on past a page other agents took whole (all coming online at once), until their room is filled', async () => {
    const all = inBilling(0, 30);
    // Rivals took the whole first page (the room, 2, and 5 more) between this agent's read and claims.
    const d = deps(
      [{ ...agent, capacity: 2 }],
      all,
      all.slice(0, 7).map((c) => c.id),
    );
    expect(await takeNextWaiting(d, 'agent-7')).toBe(2);
    // The first page as before; the next one larger, from where the first ended.
    expect(d.inboxCalls.map((call) => (call as { page: unknown }).page)).toEqual([
      { limit: 7 },
      { limit: 14, cursor: '7' },
    ]);
    expect(d.assigned.map((args) => args[0]).slice(-2)).toEqual(['cv_7', 'cv_8']);
  });

  it('reads one page when nobody takes any meanwhile: no more calls than before', async () => {
    const d = deps([agent], inBilling(0, 30));
    expect(await takeNextWaiting(d, 'agent-7')).toBe(3);
    expect(d.inboxCalls).toHaveLength(1);
    expect(d.claims).toHaveLength(3);
  });

  it('reads at most MAX_PAGES pages when every one shows its conversations taken since', async () => {
    const taken = inBilling(0, 300).map((c) => ({ ...c, assignee: 'agent-2' }));
    const d = deps([agent], taken);
    expect(await takeNextWaiting(d, 'agent-7')).toBe(0);
    expect(d.inboxCalls).toHaveLength(MAX_PAGES);
    expect(d.claims).toEqual([]);
  });

  it('makes at most MAX_ATTEMPTS claims when others win every race', async () => {
    const all = inBilling(0, 300);
    const d = deps(
      [agent],
      all,
      all.map((c) => c.id),
    );
    expect(await takeNextWaiting(d, 'agent-7')).toBe(0);
    expect(d.claims).toHaveLength(MAX_ATTEMPTS);
    expect(d.inboxCalls.length).toBeLessThanOrEqual(MAX_PAGES);
  });

  it('passes over what a page shows taken or resolved since the index listed it, and what it is told to skip', async () => {
    const [taken, resolved, skipped, free] = inBilling(0, 4) as [
      Conversation,
      Conversation,
      Conversation,
      Conversation,
    ];
    const d = deps(
      [{ ...agent, capacity: 1 }],
      [{ ...taken, assignee: 'agent-2' }, { ...resolved, status: 'resolved' }, skipped, free],
    );
    expect(await takeNextWaiting(d, 'agent-7', { skip: [skipped.id] })).toBe(1);
    expect(d.assigned.map((args) => args[0])).toEqual([free.id]);
  });
});
