import { describe, expect, it } from 'vitest';
import { inboxPartitions } from '#shared/store/keys.js';
import { DynamoGate } from '../support/dynamo-gate.js';
import { runtimePerTest } from '../support/runtime-per-test.js';
import { startTeam } from '../support/team-runtime.js';

const AGENTS = ['agent-ana', 'agent-bob', 'agent-cat', 'agent-dan', 'agent-eve'] as const;
type AgentId = (typeof AGENTS)[number];
const PROFILE = { queues: ['general'], languages: ['en'], capacity: 5 };

/**
 * A busy team through the local runtime: agents coming online or freeing up at the same moment each
 * take waiting work up to their room; nobody gets a conversation twice. An agent whose
 * conversation a colleague resolves or moves away takes the next waiting one. Their refills run after
 * the answers, on the timers queue (`settleRefills` runs them).
 */
describe('local runtime: a team taking waiting work at once', () => {
  const runtimes = runtimePerTest();
  const start = (gate: DynamoGate) =>
    startTeam(runtimes, AGENTS, { profile: PROFILE, wrap: (client) => gate.attach(client) });

  it('five agents of capacity 5 coming online at once, 40 waiting: 5 each, none twice', async () => {
    const { api, seed, holdings, settleRefills } = await start(new DynamoGate());
    for (let n = 0; n < 40; n += 1) await seed(`cv_wait${String(n).padStart(2, '0')}`, 100 - n);
    // The five refills run on the timers queue after the answers (the local queue runs a batch at a
    // time, so the gate no longer holds each one's first claim: peak-refill.test.ts forces the race).
    await Promise.all(AGENTS.map((id) => api(id)('PUT', '/api/agents/me', { presence: 'online' })));
    await settleRefills();

    const { held, set, waiting } = await holdings();
    expect(AGENTS.map((id) => [id, held(id).length])).toEqual(AGENTS.map((id) => [id, 5]));
    for (const id of AGENTS) expect(set(id), id).toEqual(held(id));
    // The 25 longest waiting went, the 15 newest still wait.
    expect(waiting.sort()).toEqual(Array.from({ length: 15 }, (_, n) => `cv_wait${25 + n}`));
  }, 60_000);

  it('one agent alone coming online reads one page of the waiting inbox, as before', async () => {
    const { api, seed, holdings, settleRefills, calls } = await start(new DynamoGate());
    for (let n = 0; n < 20; n += 1) await seed(`cv_wait${String(n).padStart(2, '0')}`, 100 - n);
    calls.length = 0;
    await api('agent-ana')('PUT', '/api/agents/me', { presence: 'online' });
    await settleRefills();
    expect((await holdings()).held('agent-ana')).toHaveLength(5);
    // One query per partition of the open inbox (the shards and the partition before sharding), one batch.
    expect(calls.filter((c) => c.command === 'Query')).toHaveLength(inboxPartitions('open').length);
    expect(calls.filter((c) => c.command === 'BatchGetItem')).toHaveLength(1);
  }, 60_000);

  it('four full agents each resolving 3 at once: each back to 5, none twice', async () => {
    const { api, seed, holdings, settleRefills } = await start(new DynamoGate());
    const team = AGENTS.slice(0, 4);
    for (const [i, id] of team.entries()) {
      for (let n = 0; n < 5; n += 1) await seed(`cv_${id}_${n}`, 1000 - i * 10 - n, id);
    }
    for (let n = 0; n < 30; n += 1) await seed(`cv_wait${String(n).padStart(2, '0')}`, 100 - n);
    for (const id of team) await api(id)('PUT', '/api/agents/me', { presence: 'online' });
    await settleRefills();
    const resolve = (id: AgentId, n: number) =>
      api(id)('POST', `/api/conversations/cv_${id}_${n}/resolve`, {});
    await Promise.all(team.flatMap((id) => [0, 1, 2].map((n) => resolve(id, n))));
    await settleRefills();

    const { held, set, waiting } = await holdings();
    expect(team.map((id) => [id, held(id).length])).toEqual(team.map((id) => [id, 5]));
    for (const id of team) expect(set(id), id).toEqual(held(id));
    expect(waiting).toHaveLength(30 - 12);
  }, 60_000);

  /** Ana online with capacity 2, holding two; two more waiting in her queue, the older 90 minutes. */
  const anaFullTwoWaiting = async () => {
    const started = await start(new DynamoGate());
    await started.api('agent-ana')('PUT', '/api/agents/me', { presence: 'online', capacity: 2 });
    await started.settleRefills();
    await started.seed('cv_ana1', 500, 'agent-ana');
    await started.seed('cv_ana2', 400, 'agent-ana');
    await started.seed('cv_old', 90);
    await started.seed('cv_new', 30);
    return started;
  };

  it('a colleague resolving an agent\u2019s conversation: that agent takes the longest waiting one', async () => {
    const { api, holdings, settleRefills } = await anaFullTwoWaiting();
    // Bob, a team lead away from the queue, closes one of Ana's.
    await api('agent-bob')('POST', '/api/conversations/cv_ana1/resolve', {});
    await settleRefills();
    const { held, set, waiting } = await holdings();
    expect(held('agent-ana')).toEqual(['cv_ana2', 'cv_old']);
    expect(set('agent-ana')).toEqual(['cv_ana2', 'cv_old']);
    expect(held('agent-bob')).toEqual([]);
    expect(waiting).toEqual(['cv_new']);
  }, 60_000);

  it('a colleague moving an agent\u2019s conversation back to the queue, or to himself: the agent takes the next one, not that one', async () => {
    const { api, holdings } = await anaFullTwoWaiting();
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
