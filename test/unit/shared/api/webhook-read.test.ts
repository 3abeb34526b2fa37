import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';
import { memoryWebhooks } from '../../fakes/webhook-store.js';

/**
 * An integrator checking one subscription (its events, whether it is disabled, its breaker) had to list
 * them all: `GET /api/webhooks/{id}` answered 405. It answers the subscription as the list does, never
 * its secrets, to admins only.
 */
describe('agent API: GET /api/webhooks/{id}', () => {
  const world = memoryWebhooks();
  const api = createAgentApp(
    untouchedAgentDeps({
      webhooks: {
        store: { ...world.store, isErased: async () => false },
        queue: world.queue,
        urls: { allowLoopbackHttp: false } as never,
        newId: () => 'wh_read1',
        newSecret: () => `whsec_${Buffer.alloc(32, 3).toString('base64')}`,
      },
    }),
  );
  const get = (path: string, token = 'admin-token') =>
    api.request(path, { headers: { Authorization: `Bearer ${token}` } });

  it('answers the subscription as the list shows it, without its secret', async () => {
    await world.store.putSubscription({
      id: 'wh_read1',
      url: 'https://crm.example.com/in',
      events: ['message.received'],
      description: 'CRM',
      secrets: [
        { secret: `whsec_${Buffer.alloc(32, 3).toString('base64')}`, createdAt: '2026-12-01T00:00:00.000Z' },
      ],
      createdAt: '2026-12-01T00:00:00.000Z',
      consecutiveFailures: 0,
    } as never);
    const res = await get('/api/webhooks/wh_read1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    const listed = (await (await get('/api/webhooks')).json()) as { items: unknown[] };
    expect(body).toEqual(listed.items[0]);
    expect(body).toMatchObject({ id: 'wh_read1', url: 'https://crm.example.com/in', description: 'CRM' });
    expect(JSON.stringify(body)).not.toContain('whsec_');
  });

  it('answers 404 for an unknown subscription, 403 to an agent', async () => {
    const missing = await get('/api/webhooks/wh_missing');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await get('/api/webhooks/wh_read1', 'agent-token')).status).toBe(403);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await get('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    expect(doc.paths['/api/webhooks/{id}']?.get?.operationId).toBe('getWebhook');
  });
});
