import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCallAs } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';

const ANA = agentToken('agent-admin-ana-token');
const BOB = agentToken('agent-admin-bob-token');
const CAT = agentToken('agent-admin-cat-token');

/** What an admin sees and sets of the team: each agent's role in the list. */
describe('local runtime: the agents list and an admin’s settings of agents', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `ana:${ANA}:admin,bob:${BOB},cat:${CAT}` },
      routing: true,
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const call = agentCallAs(() => runtime.url, ANA);
  type Listed = { id: string; role: string; queues: string[]; capacity: number };
  const listed = async () => ((await call('GET', '/api/agents', BOB)).body as { items: Listed[] }).items;

  it('lists each agent’s role', async () => {
    expect((await call('PUT', '/api/agents/me', ANA, { queues: ['general'] })).status).toBe(200);
    expect((await call('PUT', '/api/agents/me', BOB, { capacity: 3 })).status).toBe(200);
    expect(
      (await listed()).map(({ id, role, queues, capacity }) => ({ id, role, queues, capacity })),
    ).toEqual([
      { id: 'ana', role: 'admin', queues: ['general'], capacity: 5 },
      { id: 'bob', role: 'agent', queues: [], capacity: 3 },
    ]);
  });

  it('audits an agent’s change of their own registration, with before and after', async () => {
    expect((await call('PUT', '/api/agents/me', BOB, { capacity: 4, queues: ['general'] })).status).toBe(200);
    const { items } = (await call('GET', '/api/audit?action=agent_update&agentId=bob')).body as {
      items: Array<{ agentId: string; subjectAgentId: string; outcome: string; change: unknown }>;
    };
    expect(items[0]).toMatchObject({
      agentId: 'bob',
      subjectAgentId: 'bob',
      outcome: 'ok',
      change: {
        before: { presence: 'away', queues: [], languages: [], capacity: 3 },
        after: { presence: 'away', queues: ['general'], languages: [], capacity: 4 },
      },
    });
  });

  it('audits a first registration that sets nothing (the console’s at sign-in), not its repeats', async () => {
    type Audited = { agentId: string; subjectAgentId: string; outcome: string; change: unknown };
    const records = async () =>
      ((await call('GET', '/api/audit?action=agent_update&agentId=cat')).body as { items: Audited[] }).items;
    expect((await call('PUT', '/api/agents/me', CAT, {})).status).toBe(200);
    expect((await call('PUT', '/api/agents/me', CAT, {})).status).toBe(200);
    expect(await records()).toEqual([
      expect.objectContaining({
        agentId: 'cat',
        subjectAgentId: 'cat',
        outcome: 'ok',
        change: { before: {}, after: { presence: 'away', queues: [], languages: [], capacity: 5 } },
      }),
    ]);
    // Removed, restored: her registration at the next sign-in is a first one again.
    expect((await call('DELETE', '/api/agents/cat')).status).toBe(204);
    expect((await call('POST', '/api/agents/cat/restore')).status).toBe(204);
    expect((await call('PUT', '/api/agents/me', CAT, {})).status).toBe(200);
    expect((await records()).map((r) => [r.outcome, r.change])).toEqual([
      ['ok', { before: {}, after: { presence: 'away', queues: [], languages: [], capacity: 5 } }],
      ['ok', { before: {}, after: { presence: 'away', queues: [], languages: [], capacity: 5 } }],
    ]);
  });
});
