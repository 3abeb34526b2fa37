import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { inboxPartitions } from '#shared/store/keys.js';
import { callOf } from '../support/dynamo-gate.js';
import { runtimePerTest } from '../support/runtime-per-test.js';
import { startTeam } from '../support/team-runtime.js';

const AGENTS = ['agent-ana', 'agent-bob', 'agent-cat', 'agent-dan'] as const;
const PROFILE = { queues: ['general'], languages: ['en'], capacity: 5 };
/** How many of Ana's claims the crowd beats her to in her first take (a whole call's claims, 40). */
const BEATEN = 40;
/** Enough for the crowd's 40 and the team's 20, with some left waiting. */
const WAITING = 70;
const waitingId = (n: number) => `cv_wait${String(n).padStart(3, '0')}`;

/**
 * A shift's start at the peak (QA s34 repro-1 and repro-3, 25 agents and 200 waiting), through the local
 * runtime on a manual clock: agents going online at once all end at capacity while work waits, even
 * one whose every claim a crowd of rivals beat (her first take stops on its bounds: a follow-up takes
 * again soon); a resolve answers before any refill runs, and a burst of one agent's resolves refills
 * her once.
 */
describe('local runtime: refills at the peak', () => {
  const runtimes = runtimePerTest();

  it('agents going online at once with 70 waiting, one beaten to every claim of her first take: all end at capacity', async () => {
    // The crowd: while on, each claim Ana's take makes is beaten by a rival who takes that conversation first.
    const crowd = { left: BEATEN, rival: async (_id: string) => {} };
    const wrap = (client: DynamoDBClient) => {
      client.middlewareStack.add(
        (next) => async (args) => {
          const call = callOf(args);
          const input = JSON.parse(call.body) as {
            Key?: { pk?: { S?: string } };
            ExpressionAttributeValues?: Record<string, { S?: string }>;
          };
          const conversation = input.ExpressionAttributeValues?.[':conversation']?.S;
          const isAnasClaim = call.operation === 'UpdateItem' && input.Key?.pk?.S === 'AGENT#agent-ana';
          if (isAnasClaim && conversation && crowd.left > 0) {
            crowd.left -= 1;
            await crowd.rival(conversation);
          }
          return next(args);
        },
        { step: 'build', name: 'peakCrowd' },
      );
      return client;
    };
    const team = await startTeam(runtimes, AGENTS, { profile: PROFILE, wrap });
    const { api, seed, repos, holdings, settleRefills, manual } = team;
    crowd.rival = async (id) => {
      const at = new Date(manual.now()).toISOString();
      await repos.conversations.assign(id, { queue: 'general', agentId: 'agent-crowd' }, 'test', at);
    };
    for (let n = 0; n < WAITING; n += 1) await seed(waitingId(n), 500 - n);

    await Promise.all(AGENTS.map((id) => api(id)('PUT', '/api/agents/me', { presence: 'online' })));
    await settleRefills();

    const { held, set, waiting } = await holdings();
    expect(crowd.left).toBe(0);
    expect(AGENTS.map((id) => [id, held(id).length])).toEqual(AGENTS.map((id) => [id, 5]));
    for (const id of AGENTS) expect(set(id), id).toEqual(held(id));
    expect(held('agent-crowd')).toHaveLength(BEATEN);
    // Nobody twice, and the rest still waiting.
    const given = [...AGENTS, 'agent-crowd'].flatMap((id) => held(id));
    expect(new Set(given).size).toBe(given.length);
    expect(waiting).toHaveLength(WAITING - BEATEN - 20);
  }, 120_000);

  it('a resolve answers before the refill: no inbox read nor claim in the request; five at once refill once', async () => {
    const { api, seed, holdings, settleRefills, calls } = await startTeam(runtimes, ['agent-ana'], {
      profile: PROFILE,
    });
    await api('agent-ana')('PUT', '/api/agents/me', { presence: 'online' });
    await settleRefills();
    for (let n = 0; n < 5; n += 1) await seed(`cv_ana_${n}`, 1000 - n, 'agent-ana');
    for (let n = 0; n < 10; n += 1) await seed(waitingId(n), 100 - n);

    calls.length = 0;
    const answers = await Promise.all(
      [0, 1, 2, 3, 4].map((n) => api('agent-ana')('POST', `/api/conversations/cv_ana_${n}/resolve`, {})),
    );
    expect(answers.map((a) => (a as { status: string }).status)).toEqual(Array(5).fill('resolved'));
    // Answered with nothing taken: the request read no inbox and claimed nothing.
    expect(calls.filter((c) => c.command === 'Query')).toHaveLength(0);
    expect(calls.filter((c) => c.command === 'BatchGetItem')).toHaveLength(0);
    expect((await holdings()).held('agent-ana')).toEqual([]);

    calls.length = 0;
    await settleRefills();
    // One refill for the five resolves: one page of the waiting inbox, her room filled.
    expect(calls.filter((c) => c.command === 'Query')).toHaveLength(inboxPartitions('open').length);
    expect((await holdings()).held('agent-ana')).toEqual([0, 1, 2, 3, 4].map(waitingId));
  }, 120_000);
});
