import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';

const app = createAgentApp({
  store: {} as never,
  admin: {} as never,
  audit: {} as never,
  replies: {} as never,
  clock: { now: () => new Date() },
  authenticate: async () => undefined,
  phone: {},
});

type Operation = {
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: unknown }>;
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; [key: string]: unknown };

const document = async (): Promise<Document> =>
  (await app.request('/api/openapi.json')).json() as Promise<Document>;

describe('OpenAPI document', () => {
  it('documents every route the app serves, and no other', async () => {
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
        .filter((r) => !['/api/openapi.json', '/api/docs', '/api/outbox'].includes(r.path))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const { paths } = await document();
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

  it('takes the reply body from the schema the route validates with', async () => {
    const { paths } = await document();
    const body = JSON.stringify(paths['/api/conversations/{id}/replies']?.post?.requestBody);
    for (const field of ['text', 'channel', 'template', 'attachments']) expect(body).toContain(`"${field}"`);
  });
});
