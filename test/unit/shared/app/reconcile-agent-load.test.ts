import { describe, expect, it } from 'vitest';
import { reconcileAgentLoad } from '#shared/app/reconcile-agent-load.js';
import type { ConversationLoad } from '#shared/domain/agent-load.js';
import type { AgentLoadStore } from '#shared/domain/agent-ports.js';
import type { Agent } from '#shared/domain/assignment.js';

const agent = (id: string): Agent => ({
  id,
  presence: 'away',
  queues: ['general'],
  languages: ['en'],
  capacity: 2,
  openConversations: 0,
});

/** A store whose index shows `assigned` and `sets`, and whose strong reads answer `truth`. */
function deps(input: {
  assigned: Array<[string, string]>;
  sets: Record<string, string[]>;
  truth: Record<string, string | undefined>;
}) {
  const reads: string[][] = [];
  const settled: Array<[ConversationLoad, readonly string[]]> = [];
  const takeNextFor: string[] = [];
  const load: AgentLoadStore = {
    listOpenAssignments: async () =>
      input.assigned.map(([conversationId, agentId]) => ({ conversationId, agentId })),
    listAgentLoadSets: async () =>
      Object.entries(input.sets).map(([agentId, conversationIds]) => ({ agentId, conversationIds })),
    readConversationLoads: async (ids) => {
      reads.push([...ids]);
      return new Map(
        ids
          .filter((id) => id in input.truth)
          .map((id) => [id, { conversationId: id, holder: input.truth[id], listed: [] }]),
      );
    },
    settleConversationLoad: async (conversationLoad, heldBy) => {
      settled.push([conversationLoad, heldBy]);
    },
  };
  const store = {
    getAgentNow: async (id: string) => {
      takeNextFor.push(id);
      return agent(id);
    },
    inbox: async () => ({ items: [], cursor: null }),
    claimAgentSlot: async () => ({ claimed: true as const }),
  };
  const admin = { assign: async () => true };
  const clock = { now: () => new Date('2026-06-01T09:00:00.000Z') };
  return { reads, settled, takeNextFor, deps: { load, store, admin, clock } };
}

describe('reconcileAgentLoad', () => {
  it('reads nothing strongly and writes nothing when the index and the sets agree', async () => {
    const d = deps({ assigned: [['c1', 'ana']], sets: { ana: ['c1'], bob: [] }, truth: {} });
    expect(await reconcileAgentLoad(d.deps)).toEqual({
      assigned: 1,
      agents: 2,
      suspects: 0,
      fixed: 0,
      refixed: 0,
    });
    expect(d.reads).toEqual([[]]);
    expect(d.settled).toEqual([]);
    expect(d.takeNextFor).toEqual([]);
  });

  it('fixes what the strong read confirms only, and has the agents it freed take the next waiting', async () => {
    const d = deps({
      assigned: [
        ['c1', 'ana'],
        ['c2', 'bob'],
        ['c3', 'bob'],
      ],
      sets: { ana: ['c1', 'c2', 'c9'], bob: [] },
      // c2 is Bob's (Ana's copy is stray); c3 was resolved since the index read; c9 is gone.
      truth: { c1: 'ana', c2: 'bob', c3: undefined },
    });
    expect(await reconcileAgentLoad(d.deps)).toMatchObject({ suspects: 3, fixed: 2, refixed: 0 });
    expect(d.reads).toEqual([
      ['c2', 'c3', 'c9'],
      ['c2', 'c9'],
    ]);
    expect(d.settled).toEqual([
      [{ conversationId: 'c2', holder: 'bob', listed: [] }, ['ana']],
      [{ conversationId: 'c9', holder: undefined, listed: [] }, ['ana']],
    ]);
    expect(d.takeNextFor).toEqual(['ana']);
  });
});
