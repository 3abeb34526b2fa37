import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

/** No store does anything: a call that reached a route would fail (500), not answer 405. */
const api = createAgentApp(untouchedAgentDeps());
const as = (method: string, path: string, token = 'admin-token') =>
  api.request(path, { method, headers: { Authorization: `Bearer ${token}` } });
const error = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

describe('agent API: a known path with a method it does not have', () => {
  it('answers PATCH /api/me 405 method_not_allowed, with the methods the path has in Allow', async () => {
    const res = await as('PATCH', '/api/me');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await error(res)).toEqual({
      code: 'method_not_allowed',
      message: 'PATCH is not a method of this path: GET, HEAD',
    });
  });

  it('answers 405 on every documented path for each method it does not have, Allow listing those it has', async () => {
    const doc = (await (await api.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    let checked = 0;
    // A path's methods are those of every documented template it matches (`/api/agents/me` is also `/api/agents/{id}`).
    const matching = (path: string) =>
      Object.entries(doc.paths).filter(([t]) => new RegExp(`^${t.replace(/{\w+}/g, '[^/]+')}$`).test(path));
    for (const template of Object.keys(doc.paths)) {
      const path = template.replace(/{\w+}/g, 'x1');
      const has = matching(path).flatMap(([, ops]) => Object.keys(ops).map((m) => m.toUpperCase()));
      const allow = METHODS.filter((m) => has.includes(m)).flatMap((m) => (m === 'GET' ? [m, 'HEAD'] : [m]));
      for (const method of METHODS.filter((m) => !has.includes(m))) {
        const res = await as(method, path);
        expect([method, template, res.status], await res.text()).toEqual([method, template, 405]);
        expect([method, template, res.headers.get('allow')]).toEqual([method, template, allow.join(', ')]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('answers 405 on the public document too', async () => {
    const res = await api.request('/api/openapi.json', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('still answers 401 before anything else without a token, and 404 for a path that does not exist', async () => {
    expect((await as('PATCH', '/api/me', 'wrong')).status).toBe(401);
    for (const [method, path] of [
      ['GET', '/api/nothing'],
      ['PATCH', '/api/nothing'],
      ['GET', '/api/customers/x1/nothing'],
      ['POST', '/api/me/x1'],
    ] as const) {
      const res = await as(method, path);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.headers.get('allow')).toBeNull();
      expect((await error(res)).code).toBe('not_found');
    }
  });
});
