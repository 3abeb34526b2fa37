import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { inboxPartitions } from '#shared/store/keys.js';
import { consoleLeaseInput } from '#shared/store/params/agents.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { DynamoGate, type GatedCall } from '../support/dynamo-gate.js';
import { startTestRuntime } from '../support/runtime.js';
import { runtimePerTest } from '../support/runtime-per-test.js';
import { type Item, scanTable } from '../support/table-snapshot.js';

const TABLE = 'threadline';
const AGENTS = ['agent-ana', 'agent-bob', 'agent-cat', 'agent-dan', 'agent-eve'] as const;
type AgentId = (typeof AGENTS)[number];
const tokenOf = (agentId: string) => agentToken(`team-${agentId}-token`);
const PROFILE = { queues: ['general'], languages: ['en'], capacity: 5 };
const MINUTE = 60_000;

/** A take-next claim of a slot on an agent's item (the hand-off's claim has the same shape). */
const claim = (call: GatedCall) => call.operation === 'UpdateItem' && call.body.includes('contains(#set');

/**
 * A busy team through the local runtime: agents coming online or freeing up at the same moment each
 * take waiting work up to their room, however many rivals read the same oldest page (the gate holds
 * every agent's first claim until all have read it); nobody gets a conversation twice. An agent whose
 * conversation a colleague resolves or moves away takes the next waiting one.
 */
describe('local runtime: a team taking waiting work at once', () => {
  const runtimes = runtimePerTest();
  let inspect: DynamoDBClient;
  let calls: RecordedCall[] = [];

  const start = async (gate: DynamoGate) => {
    const runtime = await startTestRuntime({
      env: { AGENT_TOKENS: AGENTS.map((id) => `${id}:${tokenOf(id)}`).join(',') },
      dynamoClient: (client) => {
        calls = recordCalls(client);
        return gate.attach(client);
      },
    });
    inspect = runtimes.started(runtime);
    const doc = documentClient(inspect);
    const api = (agentId: string) => agentCaller(() => runtime.url, tokenOf(agentId));
    for (const agentId of AGENTS) {
      await api(agentId)('PUT', '/api/agents/me', { ...PROFILE, presence: 'away' });
      // Their consoles are open (what a live socket's connect writes), for a day.
      const lease = { kind: 'seen' as const, agentId, connectionId: `console-${agentId}` };
      await doc.update(consoleLeaseInput(TABLE, { ...lease, untilMs: Date.now() + 86_400_000 }));
    }
    const repos = dynamoRepositories(doc, TABLE);
    /** A conversation waiting in `general` since `minutes` ago, given to `agentId` when named. */
    const seed = async (id: string, minutes: number, agentId?: string) => {
      const at = new Date(Date.now() - minutes * MINUTE).toISOString();
      const touch = { conversationId: id, customerId: `cu_${id}`, channel: 'whatsapp' as const, at, now: at };
      await repos.conversations.touchConversation({ ...touch, inbound: true, reopen: false });
      await repos.conversations.assign(id, { queue: 'general', ...(agentId ? { agentId } : {}) }, 'test', at);
    };
    return { runtime, api, seed };
  };

  /** Who holds which open conversation, and each agent's set (their load). */
  const holdings = async () => {
    const items = await scanTable(inspect, TABLE);
    const open = items.filter((i) => i.entity === 'conversation' && i.status === 'open');
    const agents = items.filter((i) => i.entity === 'agent');
    const setOf = (agent: Item | undefined) =>
      [...((agent?.openConversationIds as Set<string> | undefined) ?? [])].sort();
    const held = (agentId: string) =>
      open
        .filter((c) => c.assignee === agentId)
        .map((c) => String(c.id))
        .sort();
    return {
      held,
      set: (agentId: string) => setOf(agents.find((a) => a.id === agentId)),
      waiting: open.filter((c) => c.assignee === undefined).map((c) => String(c.id)),
    };
  };

  it('five agents of capacity 5 coming online at once, 40 waiting: 5 each, none twice', async () => {
    const gate = new DynamoGate();
    const { api, seed } = await start(gate);
    for (let n = 0; n < 40; n += 1) await seed(`cv_wait${String(n).padStart(2, '0')}`, 100 - n);
    // Every agent's first claim waits until all five have read the oldest page.
    gate.hold(claim, AGENTS.length);
    const online = Promise.all(AGENTS.map((id) => api(id)('PUT', '/api/agents/me', { presence: 'online' })));
    await gate.arrived(AGENTS.length);
    for (let i = 0; i < AGENTS.length; i += 1) gate.release(i);
    await online;

    const { held, set, waiting } = await holdings();
    expect(AGENTS.map((id) => [id, held(id).length])).toEqual(AGENTS.map((id) => [id, 5]));
    for (const id of AGENTS) expect(set(id), id).toEqual(held(id));
    // The 25 longest waiting went, the 15 newest still wait.
    expect(waiting.sort()).toEqual(Array.from({ length: 15 }, (_, n) => `cv_wait${25 + n}`));
  }, 60_000);

  it('one agent alone coming online reads one page of the waiting inbox, as before', async () => {
    const { api, seed } = await start(new DynamoGate());
    for (let n = 0; n < 20; n += 1) await seed(`cv_wait${String(n).padStart(2, '0')}`, 100 - n);
    calls.length = 0;
    await api('agent-ana')('PUT', '/api/agents/me', { presence: 'online' });
    expect((await holdings()).held('agent-ana')).toHaveLength(5);
    // One query per partition of the open inbox (the shards and the partition before sharding), one batch.
    expect(calls.filter((c) => c.command === 'Query')).toHaveLength(inboxPartitions('open').length);
    expect(calls.filter((c) => c.command === 'BatchGetItem')).toHaveLength(1);
  }, 60_000);

  it('four full agents each resolving 3 at once: each back to 5, none twice', async () => {
    const { api, seed } = await start(new DynamoGate());
    const team = AGENTS.slice(0, 4);
    for (const [i, id] of team.entries()) {
      for (let n = 0; n < 5; n += 1) await seed(`cv_${id}_${n}`, 1000 - i * 10 - n, id);
    }
    for (let n = 0; n < 30; n += 1) await seed(`cv_wait${String(n).padStart(2, '0')}`, 100 - n);
    for (const id of team) await api(id)('PUT', '/api/agents/me', { presence: 'online' });
    const resolve = (id: AgentId, n: number) =>
      api(id)('POST', `/api/conversations/cv_${id}_${n}/resolve`, {});
    await Promise.all(team.flatMap((id) => [0, 1, 2].map((n) => resolve(id, n))));

    const { held, set, waiting } = await holdings();
    expect(team.map((id) => [id, held(id).length])).toEqual(team.map((id) => [id, 5]));
    for (const id of team) expect(set(id), id).toEqual(held(id));
    expect(waiting).toHaveLength(30 - 12);
  }, 60_000);

  /** Ana online with capacity 2, holding two; two more waiting in her queue, the older 90 minutes. */
  const anaFullTwoWaiting = async () => {
    const started = await start(new DynamoGate());
    await started.api('agent-ana')('PUT', '/api/agents/me', { presence: 'online', capacity: 2 });
    await started.seed('cv_ana1', 500, 'agent-ana');
    await started.seed('cv_ana2', 400, 'agent-ana');
    await started.seed('cv_old', 90);
    await started.seed('cv_new', 30);
    return started;
  };

  it('a colleague resolving an agent\u2019s conversation: that agent takes the longest waiting one', async () => {
    const { api } = await anaFullTwoWaiting();
    // Bob, a team lead away from the queue, closes one of Ana's.
    await api('agent-bob')('POST', '/api/conversations/cv_ana1/resolve', {});
    const { held, set, waiting } = await holdings();
    expect(held('agent-ana')).toEqual(['cv_ana2', 'cv_old']);
    expect(set('agent-ana')).toEqual(['cv_ana2', 'cv_old']);
    expect(held('agent-bob')).toEqual([]);
    expect(waiting).toEqual(['cv_new']);
  }, 60_000);

  it('a colleague moving an agent\u2019s conversation back to the queue, or to himself: the agent takes the next one, not that one', async () => {
    const { api } = await anaFullTwoWaiting();
    // An API caller naming no expected holder: the one who had it is read before the write.
    await api('agent-bob')('POST', '/api/conversations/cv_ana2/assign', { agentId: 'me' });
    let now = await holdings();
    expect(now.held('agent-ana')).toEqual(['cv_ana1', 'cv_old']);
    expect(now.set('agent-ana')).toEqual(['cv_ana1', 'cv_old']);
    expect(now.held('agent-bob')).toEqual(['cv_ana2']);
    expect(now.waiting).toEqual(['cv_new']);
    // Back to the queue, as the console sends it: the oldest waiting now, but Ana just handed it away.
    const back = { agentId: '', queue: 'general', expectedAssignee: 'agent-ana' };
    await api('agent-bob')('POST', '/api/conversations/cv_ana1/assign', back);
    now = await holdings();
    expect(now.held('agent-ana')).toEqual(['cv_new', 'cv_old']);
    expect(now.set('agent-ana')).toEqual(['cv_new', 'cv_old']);
    expect(now.waiting).toEqual(['cv_ana1']);
  }, 60_000);
});
