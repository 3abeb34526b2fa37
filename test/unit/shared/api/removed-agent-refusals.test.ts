import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { logger } from '#shared/log.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

/**
 * A removed agent whose token still signs in (an admin, here) is refused on every route, 403
 * `agent_removed`, before any use case runs; an attempt at an audited call is recorded under their
 * id, and each refusal's log line names them. Before, the removal was checked with the token, before
 * the caller was known: nothing was recorded and the lines had no `agentId`.
 */
describe('agent API: a removed agent refused', () => {
  afterEach(() => vi.restoreAllMocks());

  const removedAdmin = () => {
    const audit = memoryAuditLog();
    const app = createAgentApp(
      untouchedAgentDeps({
        audit,
        removals: { isRemoved: async (id) => id === 'admin-1', forget: () => {} },
      }),
    );
    const call = (method: string, path: string, body?: string) =>
      app.request(path, {
        method,
        headers: { authorization: 'Bearer admin-token', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      });
    return { audit, call };
  };

  it('records each attempt at an audited call under their id, outcome agent_removed', async () => {
    const { audit, call } = removedAdmin();
    const calls: Array<[string, string, string?]> = [
      ['DELETE', '/api/customers/cu_1'],
      ['GET', '/api/customers/cu_1/export'],
      ['DELETE', '/api/agents/agent-1'],
      ['POST', '/api/agents/admin-1/restore'],
      ['PUT', '/api/agents/me', '{"presence":"online"}'],
      ['PUT', '/api/agents/me', '{}'],
    ];
    for (const [method, path, body] of calls) {
      const res = await call(method, path, body);
      expect([path, res.status, await res.json()]).toMatchObject([
        path,
        403,
        { error: { code: 'agent_removed' } },
      ]);
    }
    expect(
      audit.records.map((r) => [r.agentId, r.action, r.customerIds, r.subjectAgentId, r.outcome]),
    ).toEqual([
      ['admin-1', 'erase', ['cu_1'], undefined, 'agent_removed'],
      ['admin-1', 'export', ['cu_1'], undefined, 'agent_removed'],
      ['admin-1', 'agent_remove', [], 'agent-1', 'agent_removed'],
      ['admin-1', 'agent_restore', [], 'admin-1', 'agent_removed'],
      ['admin-1', 'agent_update', [], 'admin-1', 'agent_removed'],
      ['admin-1', 'agent_update', [], 'admin-1', 'agent_removed'],
    ]);
  });

  it("writes one log line per refusal naming the route, method, agent, status and code; reads aren't audited", async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    const { audit, call } = removedAdmin();
    expect((await call('GET', '/api/agents')).status).toBe(403);
    expect((await call('DELETE', '/api/agents/agent-1')).status).toBe(403);
    const lines = warn.mock.calls.filter(([message]) => message === 'request failed').map(([, line]) => line);
    expect(lines).toEqual([
      { route: '/api/agents', method: 'GET', agentId: 'admin-1', status: 403, code: 'agent_removed' },
      { route: '/api/agents/:id', method: 'DELETE', agentId: 'admin-1', status: 403, code: 'agent_removed' },
    ]);
    expect(audit.records.map((r) => r.action)).toEqual(['agent_remove']);
  });
});
