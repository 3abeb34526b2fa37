import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { logger } from '#shared/log.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

/**
 * The line a refused call logs says which call it was and whose: one route pattern serves several
 * methods (`/api/customers/:id` is a profile read, a rename and an erasure), and before, the line
 * named only the pattern, so an operator reading "403 on /api/customers/:id" could not tell an
 * agent's refused erasure from anything else, nor who tried. Still no path, query or body.
 */
describe('the log line of a refused agent API call', () => {
  afterEach(() => vi.restoreAllMocks());

  it('names the method and the agent beside the route pattern, never the path', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    const api = createAgentApp(untouchedAgentDeps({ audit: memoryAuditLog() }));
    const res = await api.request('/api/customers/cu_16505551234', {
      method: 'DELETE',
      headers: { Authorization: 'Bearer agent-token' },
    });
    expect(res.status).toBe(403);
    const lines = warn.mock.calls.filter(([message]) => message === 'request failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[1]).toEqual({
      route: '/api/customers/:id',
      method: 'DELETE',
      agentId: 'agent-1',
      status: 403,
      code: 'forbidden',
    });
    expect(JSON.stringify(lines)).not.toContain('16505551234');
  });

  it('logs a 404 and a 405 of a signed-in agent the same way: pattern (none for a 404), method, agent, status, code', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    const api = createAgentApp(untouchedAgentDeps({ audit: memoryAuditLog() }));
    const as = (method: string, path: string) =>
      api.request(path, { method, headers: { Authorization: 'Bearer agent-token' } });
    expect((await as('GET', '/api/definitely-not-here/16505551234')).status).toBe(404);
    expect((await as('PATCH', '/api/me')).status).toBe(405);
    expect((await as('PUT', '/api/customers/cu_16505551234/timeline')).status).toBe(405);
    const lines = warn.mock.calls.filter(([message]) => message === 'request failed').map(([, line]) => line);
    expect(lines).toEqual([
      { route: 'unmatched', method: 'GET', agentId: 'agent-1', status: 404, code: 'not_found' },
      {
        route: '/api/me',
        method: 'PATCH',
        agentId: 'agent-1',
        status: 405,
        code: 'method_not_allowed',
        allow: 'GET, HEAD',
      },
      {
        route: '/api/customers/:id/timeline',
        method: 'PUT',
        agentId: 'agent-1',
        status: 405,
        code: 'method_not_allowed',
        allow: 'GET, HEAD',
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('16505551234');
  });
});
