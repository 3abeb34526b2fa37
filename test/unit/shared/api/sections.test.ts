import { createRoute } from '@hono/zod-openapi';
import { describe, expect, it, vi } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { nobodyRemoved } from '../../fakes/untouched-agent-app.js';

vi.mock('@hono/zod-openapi', async (importOriginal) => {
  const original = await importOriginal<typeof import('@hono/zod-openapi')>();
  return { ...original, createRoute: vi.fn(original.createRoute) };
});

const declared = () => vi.mocked(createRoute).mock.calls.map(([route]) => `${route.method} ${route.path}`);

describe('the agent API built section by section', () => {
  it('declares no route at cold start, a request only its section’s, and the document all of them once', async () => {
    const app = createAgentApp({
      store: {} as never,
      admin: {} as never,
      audit: {} as never,
      replies: {} as never,
      clock: { now: () => new Date() },
      authenticate: async () => ({ agentId: 'agent-7', admin: false }),
      phone: {},
      removals: nobodyRemoved,
    });
    expect(declared()).toEqual([]);

    const me = await app.request('/api/me', { headers: { Authorization: 'Bearer t' } });
    expect(await me.json()).toEqual({ agentId: 'agent-7', admin: false });
    expect(declared().sort()).toEqual([
      'delete /agents/{id}',
      'get /agents',
      'get /agents/removed',
      'get /me',
      'post /agents/{id}/restore',
      'put /agents/me',
    ]);

    const document = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(document.paths).flatMap((ops) => Object.keys(ops));
    expect(declared()).toHaveLength(operations.length);
    expect(new Set(declared()).size).toBe(declared().length);
  });
});
