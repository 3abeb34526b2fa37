import { describe, expect, it } from 'vitest';
import { reconcileAgentLoad } from '#shared/app/reconcile-agent-load.js';
import type { AgentLoadStore } from '#shared/domain/agent-ports.js';
import type { AgentProfile } from '#shared/domain/assignment.js';
import { inboxPartitions, Keys } from '#shared/store/keys.js';
import { countAgentLoadInput } from '#shared/store/params/agents.js';
import { resolveConversationInput } from '#shared/store/params/conversations.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { isRead, type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useLocalStore } from '../support/local-store.js';

const TABLE = 'agent-load-reconcile';
const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const profile = (id: string): AgentProfile => ({
  id,
  presence: 'away',
  queues: ['general'],
  languages: ['en'],
  capacity: 2,
  updatedAt: at(0),
});

/**
 * The reconcile of the agents' open-conversation sets on dynalite: the outcome of each race the
 * assignment paths leave (a set holding a conversation reassigned elsewhere, resolved, or erased) is
 * healed, a pre-upgrade assignment is counted (backfill), a conversation that changes between the
 * index read and the strong read is left right, a fix racing a live transfer is fixed again, a second
 * run changes nothing, two at once come out right, and a run reads the open conversations and the
 * agents only, never history.
 */
describe('reconciling the agents\u2019 load', () => {
  const local = useLocalStore(TABLE);
  let n = 0;
  const repos = () => local.repos;
  const doc = () => documentClient(local.dynamo.client);
  let recorded: RecordedCall[] | undefined;
  const record = (): RecordedCall[] => {
    recorded ??= recordCalls(local.dynamo.client);
    return recorded;
  };

  const reconcile = (load: AgentLoadStore = repos().agentLoad) =>
    reconcileAgentLoad({
      load,
      store: local.store,
      admin: repos().conversations,
      clock: { now: () => new Date(at(500)) },
    });

  const sets = async (): Promise<Record<string, string[]>> =>
    Object.fromEntries(
      (await repos().agentLoad.listAgentLoadSets()).map((set) => [set.agentId, [...set.conversationIds]]),
    );
  const listed = async (conversationId: string): Promise<string[]> => {
    const out = await doc().get({
      TableName: TABLE,
      Key: Keys.conversation(conversationId),
      ConsistentRead: true,
    });
    return [...((out.Item?.loadAgents as Set<string> | undefined) ?? [])].sort();
  };
  /** Adds a conversation to an agent's set behind the conversation's back, as a lost race leaves it. */
  const strayIn = (agentId: string, conversationId: string) =>
    doc().update(countAgentLoadInput(TABLE, agentId, conversationId, 'ADD'));
  /** Assigns a conversation as the code before the sets did: the assignee only. */
  const assignPreUpgrade = (conversationId: string, agentId: string) =>
    doc().update({
      TableName: TABLE,
      Key: Keys.conversation(conversationId),
      UpdateExpression: 'SET assignee = :agent',
      ExpressionAttributeValues: { ':agent': agentId },
    });

  const open = async (): Promise<string> => {
    n += 1;
    const id = `cv_rec${String(n).padStart(2, '0')}`;
    await repos().conversations.touchConversation({
      conversationId: id,
      customerId: `cu_rec${n}`,
      channel: 'sms',
      at: at(n),
      now: at(n),
      inbound: true,
      reopen: false,
    });
    return id;
  };

  it('removes the stale member each race leaves: reassigned elsewhere, resolved, erased', async () => {
    for (const id of ['ag_ana', 'ag_bob']) await repos().agents.putAgent(profile(id));
    const [moved, resolved, kept] = [await open(), await open(), await open()];
    // Two assignments racing: Bob's won, Ana's set kept it (the conversation lists only Bob).
    await repos().conversations.assign(moved, { agentId: 'ag_bob' }, 'ag_bob', at(10));
    await strayIn('ag_ana', moved);
    // A transfer racing a resolve: resolved, yet still in Ana's set.
    await repos().conversations.assign(resolved, { agentId: 'ag_ana' }, 'ag_ana', at(11));
    await repos().conversations.resolveConversation(resolved, 'ag_ana', at(12));
    await strayIn('ag_ana', resolved);
    // An assignment racing the customer's erasure: the conversation is gone, its id still counted.
    await strayIn('ag_ana', 'cv_rec_erased');
    await repos().conversations.assign(kept, { agentId: 'ag_ana' }, 'ag_ana', at(13));
    expect(await sets()).toEqual({
      ag_ana: ['cv_rec_erased', kept, moved, resolved].sort(),
      ag_bob: [moved],
    });

    const report = await reconcile();
    expect(report).toMatchObject({ suspects: 3, fixed: 3, refixed: 0 });
    expect(await sets()).toEqual({ ag_ana: [kept], ag_bob: [moved] });
    expect(await listed(moved)).toEqual(['ag_bob']);
    expect(await listed(resolved)).toEqual([]);
    // Done: a second run finds nothing and writes nothing.
    const calls = record();
    const from = calls.length;
    expect(await reconcile()).toMatchObject({ suspects: 0, fixed: 0 });
    expect(calls.slice(from).filter((call) => !isRead(call))).toEqual([]);
    for (const id of [moved, kept]) await repos().conversations.resolveConversation(id, 'ag_bob', at(14));
  });

  it('counts a conversation assigned before the sets existed (backfill), then lets it go on resolve', async () => {
    const [old, snoozed] = [await open(), await open()];
    await assignPreUpgrade(old, 'ag_ana');
    await assignPreUpgrade(snoozed, 'ag_bob');
    await repos().clock.snooze(snoozed, at(600));
    expect(await sets()).toEqual({ ag_ana: [], ag_bob: [] });
    expect(await reconcile()).toMatchObject({ suspects: 2, fixed: 2 });
    expect(await sets()).toEqual({ ag_ana: [old], ag_bob: [snoozed] });
    expect(await listed(old)).toEqual(['ag_ana']);
    // Listed now, so the resolve takes it out of the set as for any other.
    await repos().conversations.resolveConversation(old, 'ag_ana', at(21));
    await repos().conversations.resolveConversation(snoozed, 'ag_bob', at(21));
    expect(await sets()).toEqual({ ag_ana: [], ag_bob: [] });
  });

  it('leaves right a conversation that changed between the index read and the strong read', async () => {
    const [resolvedMeanwhile, movedMeanwhile] = [await open(), await open()];
    await assignPreUpgrade(resolvedMeanwhile, 'ag_ana');
    await assignPreUpgrade(movedMeanwhile, 'ag_bob');
    // Both are suspects as the index shows them; before the strong read one is resolved, one moved to Ana.
    const real = repos().agentLoad;
    let between: (() => Promise<void>) | undefined = async () => {
      await doc().update(resolveConversationInput(TABLE, resolvedMeanwhile, at(30), 'ag_ana'));
      await repos().conversations.assign(movedMeanwhile, { agentId: 'ag_ana' }, 'ag_bob', at(30));
    };
    const racing: AgentLoadStore = {
      ...real,
      async readConversationLoads(ids) {
        const change = between;
        between = undefined;
        await change?.();
        return real.readConversationLoads(ids);
      },
    };
    expect(await reconcile(racing)).toMatchObject({ suspects: 2 });
    // Neither the resolved one counted for Ana, nor the moved one for Bob.
    expect(await sets()).toEqual({ ag_ana: [movedMeanwhile], ag_bob: [] });
    expect(await listed(resolvedMeanwhile)).toEqual([]);
    await repos().conversations.resolveConversation(movedMeanwhile, 'ag_ana', at(31));
  });

  it('fixes again a fix that raced a live transfer', async () => {
    const cv = await open();
    await repos().conversations.assign(cv, { agentId: 'ag_ana' }, 'ag_ana', at(40));
    await strayIn('ag_bob', cv);
    // The transfer to Bob lands whole after the strong read and before the fix takes cv from Bob's set.
    const real = repos().agentLoad;
    let reads = 0;
    const racing: AgentLoadStore = {
      ...real,
      async readConversationLoads(ids) {
        const loads = await real.readConversationLoads(ids);
        reads += 1;
        if (reads === 1) await repos().conversations.assign(cv, { agentId: 'ag_bob' }, 'ag_ana', at(41));
        return loads;
      },
    };
    expect(await reconcile(racing)).toMatchObject({ suspects: 1, fixed: 1, refixed: 1 });
    expect(await sets()).toEqual({ ag_ana: [], ag_bob: [cv] });
    expect(await listed(cv)).toEqual(['ag_bob']);
    expect(await reconcile()).toMatchObject({ suspects: 0, fixed: 0 });
    await repos().conversations.resolveConversation(cv, 'ag_bob', at(42));
  });

  it('comes out right with two runs at once', async () => {
    const [stray, missing] = [await open(), await open()];
    await repos().conversations.assign(stray, { agentId: 'ag_bob' }, 'ag_bob', at(45));
    await strayIn('ag_ana', stray);
    await assignPreUpgrade(missing, 'ag_ana');
    const both = await Promise.all([reconcile(), reconcile()]);
    expect(both.map((report) => report.suspects)).toEqual([2, 2]);
    expect(await sets()).toEqual({ ag_ana: [missing], ag_bob: [stray] });
    for (const cv of [stray, missing]) await repos().conversations.resolveConversation(cv, 'ag_ana', at(46));
    expect(await sets()).toEqual({ ag_ana: [], ag_bob: [] });
  });

  it('reads the open conversations and the agents only, whatever the history; a fix costs its writes', async () => {
    // History: many resolved conversations, none of which a run reads.
    for (let i = 0; i < 30; i += 1) {
      const cv = await open();
      await repos().conversations.assign(cv, { agentId: 'ag_ana' }, 'ag_ana', at(50));
      await repos().conversations.resolveConversation(cv, 'ag_ana', at(51));
    }
    const assigned = [await open(), await open()];
    for (const cv of assigned)
      await repos().conversations.assign(cv, { agentId: 'ag_bob' }, 'ag_bob', at(52));
    const calls = record();
    let from = calls.length;
    expect(await reconcile()).toMatchObject({ assigned: 2, agents: 2, suspects: 0, fixed: 0 });
    const idle = calls.slice(from);
    const partitions = inboxPartitions('open').length + inboxPartitions('snoozed').length;
    expect(idle.filter((call) => call.command === 'Query')).toHaveLength(partitions + 1);
    expect(idle).toHaveLength(partitions + 1);
    // One stray member and one missing: a strong batch read each round, and the set writes.
    const missing = await open();
    await strayIn('ag_ana', assigned[0] as string);
    await assignPreUpgrade(missing, 'ag_ana');
    from = calls.length;
    expect(await reconcile()).toMatchObject({ suspects: 2, fixed: 2, refixed: 0 });
    const fixing = calls.slice(from).filter((call) => call.command !== 'Query');
    expect(fixing.map((call) => `${call.command} ${call.pk}`)).toEqual([
      'BatchGetItem ',
      'UpdateItem AGENT#ag_bob',
      'UpdateItem AGENT#ag_ana',
      `UpdateItem CONVERSATION#${missing}`,
      'UpdateItem AGENT#ag_ana',
      'BatchGetItem ',
      // Ana, freed of the stray, takes the next waiting conversation if she is online with room.
      'GetItem AGENT#ag_ana',
    ]);
    expect(await sets()).toEqual({ ag_ana: [missing], ag_bob: assigned });
  }, 30_000);
});
