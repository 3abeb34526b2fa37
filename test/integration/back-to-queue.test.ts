import { describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { isRemovalLook } from '../support/call-recorder.js';
import { runtimePerTest } from '../support/runtime-per-test.js';
import { startTeam } from '../support/team-runtime.js';

const PROFILE = { queues: ['general'], languages: ['en'], capacity: 5 };
type Team = Awaited<ReturnType<typeof startTeam>>;

/**
 * A lead sends a conversation back to its queue (the console's Transfer to "Nobody (back to the
 * queue)"): it goes on to an available agent of the queue, as one an agent hands back by going Away
 * does, never back to the agent it was taken from; with nobody else available it waits Unassigned.
 * Before, it waited Unassigned while a colleague of the queue sat online and empty: only the agent who
 * had it took from the queue, never that one (QA repro-4).
 */
describe('local runtime: a conversation sent back to the queue', () => {
  const runtimes = runtimePerTest();

  /** Ana online holding `cv_back` (waiting 30 min), Bob online or not, the lead away. */
  const team = async (bobOnline: boolean) => {
    const started = await startTeam(runtimes, ['agent-ana', 'agent-bob', 'lead'], { profile: PROFILE });
    await started.api('agent-ana')('PUT', '/api/agents/me', { presence: 'online' });
    if (bobOnline) await started.api('agent-bob')('PUT', '/api/agents/me', { presence: 'online' });
    await started.settleRefills();
    await started.seed('cv_back', 30, 'agent-ana');
    return started;
  };
  const back = { agentId: '', expectedAssignee: 'agent-ana' };
  /** The lead sends `cv_back` back to the queue: the answer, and the table's calls by command. */
  const sendBack = async (api: Team['api'], calls: Team['calls']) => {
    calls.length = 0;
    const answer = await api('lead')<Conversation>('POST', '/api/conversations/cv_back/assign', back);
    const byCommand: Record<string, number> = {};
    for (const call of calls.filter((c) => !isRemovalLook(c)))
      byCommand[call.command] = (byCommand[call.command] ?? 0) + 1;
    return { answer, byCommand };
  };

  it('goes on to the colleague online with room, in one call of bounded cost', async () => {
    const { api, holdings, calls } = await team(true);
    const { answer, byCommand } = await sendBack(api, calls);
    expect(answer.assignee).toBe('agent-bob');
    const now = await holdings();
    expect(now.held('agent-bob')).toEqual(['cv_back']);
    expect(now.set('agent-bob')).toEqual(['cv_back']);
    expect(now.held('agent-ana')).toEqual([]);
    expect(now.set('agent-ana')).toEqual([]);
    expect(now.waiting).toEqual([]);
    // The send-back as before (138 calls: the write and its event, the answer's read, Ana's refill reading
    // the waiting inbox's 128 partitions and the page's conversations) and the offer: the agents list (1
    // Query, 1 BatchGetItem), Bob's claim (1 UpdateItem), routing's assignment (2 GetItem, 2 UpdateItem, the
    // event's PutItem) and the answer read again (1 GetItem); Ana's refill then finds no conversation to read.
    expect(byCommand).toEqual({ GetItem: 7, UpdateItem: 6, PutItem: 2, Query: 130, BatchGetItem: 1 });
  }, 60_000);

  it('waits Unassigned when only the agent it was taken from is available', async () => {
    const { api, holdings, calls } = await team(false);
    const { answer, byCommand } = await sendBack(api, calls);
    expect(answer.assignee).toBeUndefined();
    const now = await holdings();
    expect(now.held('agent-ana')).toEqual([]);
    expect(now.waiting).toEqual(['cv_back']);
    // The offer read the agents list only: 1 Query and 1 BatchGetItem more than before.
    expect(byCommand).toEqual({ GetItem: 4, UpdateItem: 3, PutItem: 1, Query: 130, BatchGetItem: 2 });
  }, 60_000);
});
