import { describe, expect, it } from 'vitest';
import { returnAbsentAgents } from '#shared/app/return-absent-agents.js';
import type { RemovedAgentHolding, SweptAgent } from '#shared/domain/agent-ports.js';
import type { Agent, AgentClaim } from '#shared/domain/assignment.js';
import type { Conversation } from '#shared/domain/timeline.js';

const NOW = '2025-06-09T10:00:00.000Z';
const LAPSED = '2025-06-09T09:58:00.000Z';
const LIVE = '2025-06-09T10:10:00.000Z';
const agent = (id: string, change: Partial<SweptAgent> = {}): SweptAgent => ({
  id,
  presence: 'online',
  queues: ['general'],
  languages: ['en'],
  capacity: 3,
  openConversations: 0,
  ...change,
});
const held = (id: string, assignee: string, change: Partial<Conversation> = {}): Conversation => ({
  id,
  customerId: `cu_${id}`,
  status: 'open',
  createdAt: '2025-06-09T08:00:00.000Z',
  channels: ['whatsapp'],
  channelSwitch: false,
  queue: 'general',
  assignee,
  waitingSince: '2025-06-09T09:00:00.000Z',
  ...change,
});

function deps(agents: SweptAgent[], conversations: Conversation[], removed: RemovedAgentHolding[] = []) {
  const calls: unknown[][] = [];
  const listed: Agent[] = agents.map(({ lease, openConversationIds: _ids, ...a }) => ({
    ...a,
    ...(lease ? { connectedUntil: lease.connectedUntil } : {}),
  }));
  return {
    calls,
    clock: { now: () => new Date(NOW) },
    away: {
      listAgentsWithLeases: async () => agents,
      listRemovedHolding: async () => removed,
      readConversations: async (ids: readonly string[]) => {
        calls.push(['readConversations', [...ids]]);
        return conversations.filter((c) => ids.includes(c.id));
      },
      noteLeaseLapsed: async (...args: unknown[]) => void calls.push(['noteLeaseLapsed', ...args]),
      clearLeaseLapsed: async (...args: unknown[]) => void calls.push(['clearLeaseLapsed', ...args]),
    },
    store: {
      listAgents: async () => listed,
      getAgentNow: async (id: string) => listed.find((a) => a.id === id),
      claimAgentSlot: async (...args: unknown[]): Promise<AgentClaim> => {
        calls.push(['claim', ...args]);
        return { claimed: true };
      },
      inbox: async () => {
        calls.push(['inbox']);
        return { items: [held('cv_waiting', '', { assignee: undefined })], cursor: null };
      },
    },
    admin: {
      assign: async (...args: unknown[]) => {
        calls.push(['assign', ...args]);
        return true;
      },
    },
  };
}

describe('returnAbsentAgents', () => {
  it('hands the waiting conversations of an agent whose lease lapsed to an agent at the console, once, and marks the lapse', async () => {
    const d = deps(
      [
        agent('agent-ana', {
          openConversations: 3,
          openConversationIds: ['cv_1', 'cv_answered', 'cv_snoozed'],
          lease: { connectedUntil: LAPSED },
        }),
        agent('agent-bob', { lease: { connectedUntil: LIVE } }),
      ],
      [
        held('cv_1', 'agent-ana'),
        held('cv_answered', 'agent-ana', { waitingSince: undefined }),
        held('cv_snoozed', 'agent-ana', { snoozedUntil: '2025-06-09T12:00:00.000Z' }),
      ],
    );
    const report = await returnAbsentAgents(d);
    expect(report).toEqual({ agents: 2, absent: 1, returned: 1, removed: 0, back: 0, taken: 0 });
    expect(d.calls).toEqual([
      ['readConversations', ['cv_1', 'cv_answered', 'cv_snoozed']],
      ['claim', 'agent-bob', 'cv_1', 0],
      [
        'assign',
        'cv_1',
        { agentId: 'agent-bob' },
        'routing',
        NOW,
        'returned:cv_1:agent-ana:2025-06-09T09:00:00.000Z',
        { ifAssignee: 'agent-ana', release: ['agent-bob'], reason: 'agent_offline' },
      ],
      ['noteLeaseLapsed', 'agent-ana', LAPSED],
    ]);
  });

  it('hands back what a removed agent holds that waits on the business again; an answered one stays theirs', async () => {
    const d = deps(
      [agent('agent-bob', { lease: { connectedUntil: LIVE } })],
      [held('cv_again', 'agent-cy'), held('cv_answered', 'agent-cy', { waitingSince: undefined })],
      [{ id: 'agent-cy', openConversationIds: ['cv_again', 'cv_answered'] }],
    );
    expect(await returnAbsentAgents(d)).toMatchObject({ absent: 0, removed: 1, returned: 1 });
    expect(d.calls).toEqual([
      ['readConversations', ['cv_again', 'cv_answered']],
      ['claim', 'agent-bob', 'cv_again', 0],
      [
        'assign',
        'cv_again',
        { agentId: 'agent-bob' },
        'routing',
        NOW,
        'returned:cv_again:agent-cy:2025-06-09T09:00:00.000Z',
        { ifAssignee: 'agent-cy', release: ['agent-bob'], reason: 'agent_removed' },
      ],
    ]);
  });

  it('reads no conversation and writes nothing when every agent is at the console or never had one', async () => {
    const d = deps(
      [
        agent('agent-ana', { openConversationIds: ['cv_1'], lease: { connectedUntil: LIVE } }),
        agent('agent-api', { openConversationIds: ['cv_2'] }),
      ],
      [held('cv_1', 'agent-ana'), held('cv_2', 'agent-api')],
    );
    expect(await returnAbsentAgents(d)).toMatchObject({ absent: 0, returned: 0 });
    expect(d.calls).toEqual([]);
  });

  it('gives an agent back at the console after a lapse the waiting work of their queues, then takes the mark off', async () => {
    const d = deps([agent('agent-ana', { lease: { connectedUntil: LIVE, lapsedAt: LAPSED } })], []);
    expect(await returnAbsentAgents(d)).toMatchObject({ back: 1, taken: 1 });
    expect(d.calls.map((call) => call[0])).toEqual(['inbox', 'claim', 'assign', 'clearLeaseLapsed']);
    expect(d.calls.at(-1)).toEqual(['clearLeaseLapsed', 'agent-ana', LAPSED]);
  });

  it('leaves a conversation Unassigned in its queue when nobody is at a console', async () => {
    const d = deps(
      [
        agent('agent-ana', {
          openConversationIds: ['cv_1'],
          lease: { connectedUntil: LAPSED, lapsedAt: LAPSED },
        }),
      ],
      [held('cv_1', 'agent-ana')],
    );
    await returnAbsentAgents(d);
    expect(d.calls.filter((call) => call[0] === 'assign')).toEqual([
      [
        'assign',
        'cv_1',
        { agentId: '' },
        'routing',
        NOW,
        'returned:cv_1:agent-ana:2025-06-09T09:00:00.000Z',
        { ifAssignee: 'agent-ana', release: [], reason: 'agent_offline' },
      ],
    ]);
    // Marked already: not again.
    expect(d.calls.some((call) => call[0] === 'noteLeaseLapsed')).toBe(false);
  });
});
