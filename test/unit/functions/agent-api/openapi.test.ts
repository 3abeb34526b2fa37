import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#functions/agent-api/app.js';
import { openApiDocument } from '#functions/agent-api/openapi.js';

const app = createAgentApp({
  store: {} as never,
  admin: {} as never,
  replies: {} as never,
  clock: { now: () => new Date() },
  authenticate: async () => undefined,
  phone: {},
});

describe('OpenAPI document', () => {
  it('documents every route the app serves, and no other', () => {
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
        .filter((r) => !['/api/openapi.json', '/api/docs', '/api/outbox'].includes(r.path))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    const documented = new Set(
      Object.entries(paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it('is served without a token, with the docs page that renders it', async () => {
    const doc = await app.request('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const page = await app.request('/api/docs');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain("fetch('openapi.json')");
  });

  it('takes the reply body from the schema the route validates with', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, { requestBody?: unknown }>>;
    const body = JSON.stringify(paths['/api/conversations/{id}/replies']?.post?.requestBody);
    for (const field of ['text', 'channel', 'template', 'attachments']) expect(body).toContain(`"${field}"`);
  });
});
