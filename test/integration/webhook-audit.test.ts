import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/domain/audit.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentFetcher } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';

const ADMIN = agentToken('webhook-audit-admin-token');
const AGENT = agentToken('webhook-audit-agent-token');

describe('local runtime: the audit log names the webhook each webhook call was about, and where it sends', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `zoe:${ADMIN}:admin,bo:${AGENT}` },
      events: true,
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentFetcher(() => runtime.url, ADMIN);
  const audit = async () =>
    ((await (await api('GET', '/api/audit?limit=50')).json()) as { items: AuditRecord[] }).items;

  it('keeps, after the subscription is deleted, which one it was and the origin it sent events to', async () => {
    const url = 'http://127.0.0.1:3199/hooks/secret-path-token?key=k1';
    const made = await api('POST', '/api/webhooks', { url, events: ['message.received'] });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    expect((await api('POST', `/api/webhooks/${id}/rotate-secret`)).status).toBe(200);
    expect((await api('DELETE', `/api/webhooks/${id}`, undefined, AGENT)).status).toBe(403);
    expect((await api('DELETE', `/api/webhooks/${id}`)).status).toBe(204);
    await expect((await api('GET', '/api/webhooks')).json()).resolves.toEqual({ items: [], cursor: null });

    const records = (await audit()).filter((r) => r.action.startsWith('webhook_'));
    const of = (action: string, agentId = 'zoe') =>
      records.find((r) => r.action === action && r.agentId === agentId);
    const origin = 'http://127.0.0.1:3199';
    expect(of('webhook_create')).toMatchObject({ outcome: 'ok', webhookId: id, webhookOrigin: origin });
    expect(of('webhook_rotate_secret')).toMatchObject({ outcome: 'ok', webhookId: id });
    expect(of('webhook_delete')).toMatchObject({ outcome: 'ok', webhookId: id, webhookOrigin: origin });
    expect(of('webhook_delete', 'bo')).toMatchObject({ outcome: 'forbidden', webhookId: id });
    // The origin only: a path or query that carries the receiver's own token stays out of the log.
    expect(JSON.stringify(records)).not.toContain('secret-path-token');
  });

  it('records what an edit changed: the events and description before and after, never the secret', async () => {
    const url = 'http://127.0.0.1:3199/hooks/edited';
    const made = await api('POST', '/api/webhooks', {
      url,
      events: ['message.received'],
      description: 'CRM',
    });
    const { id, secret } = (await made.json()) as { id: string; secret: string };
    const edit = { events: ['message.received', 'conversation.resolved'], description: 'CRM sync' };
    expect((await api('PATCH', `/api/webhooks/${id}`, edit)).status).toBe(200);
    const record = (await audit()).find((r) => r.action === 'webhook_update' && r.webhookId === id);
    expect(record?.change).toEqual({
      before: { events: ['message.received'], description: 'CRM' },
      after: { events: ['message.received', 'conversation.resolved'], description: 'CRM sync' },
    });
    expect(JSON.stringify(record)).not.toContain(secret);
    expect((await api('DELETE', `/api/webhooks/${id}`)).status).toBe(204);
  });

  it('records where a refused create pointed, and the webhook a refused call named', async () => {
    const refused = await api('POST', '/api/webhooks', {
      url: 'http://169.254.169.254/latest/meta-data',
      events: ['message.received'],
    });
    expect(refused.status).toBe(400);
    expect((await api('POST', '/api/webhooks/wh_missing/enable', undefined, AGENT)).status).toBe(403);
    expect((await api('POST', '/api/webhooks/wh_missing/enable')).status).toBe(404);

    const records = await audit();
    expect(
      records.find((r) => r.action === 'webhook_create' && r.outcome === 'invalid_request'),
    ).toMatchObject({
      webhookOrigin: 'http://169.254.169.254',
    });
    const enables = records.filter((r) => r.action === 'webhook_enable');
    expect(enables.map((r) => [r.agentId, r.outcome, r.webhookId])).toEqual([
      ['zoe', 'not_found', 'wh_missing'],
      ['bo', 'forbidden', 'wh_missing'],
    ]);
  });

  it('replays failed deliveries since a time for admins only, and audits every call, refused or not', async () => {
    const made = await api('POST', '/api/webhooks', {
      url: 'http://127.0.0.1:3199/hooks/t',
      events: ['message.received'],
    });
    const { id } = (await made.json()) as { id: string };
    const since = '2026-12-01T00:00:00Z';
    expect((await api('POST', `/api/webhooks/${id}/replay`, { since }, AGENT)).status).toBe(403);
    const bad = await api('POST', `/api/webhooks/${id}/replay`, { since: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/since/);
    const done = await api('POST', `/api/webhooks/${id}/replay`, { since });
    expect(done.status).toBe(202);
    await expect(done.json()).resolves.toEqual({ replayed: 0, gone: 0, cursor: null });
    // The delivered ones too, on asking (a filter over two statuses); `cancelled` is not one to ask for.
    const both = await api('POST', `/api/webhooks/${id}/replay`, {
      since,
      statuses: ['failed', 'delivered'],
    });
    expect(both.status).toBe(202);
    await expect(both.json()).resolves.toEqual({ replayed: 0, gone: 0, cursor: null });
    const cancelled = await api('POST', `/api/webhooks/${id}/replay`, { since, statuses: ['cancelled'] });
    expect(cancelled.status).toBe(400);
    expect(
      (await audit())
        .filter((r) => r.action === 'webhook_replay_delivered')
        .map((r) => [r.outcome, r.webhookId]),
    ).toEqual([['ok', id]]);
    const replays = (await audit()).filter((r) => r.action === 'webhook_replay_failed');
    expect(replays.map((r) => [r.agentId, r.outcome, r.webhookId])).toEqual([
      ['zoe', 'invalid_request', id],
      ['zoe', 'ok', id],
      ['zoe', 'invalid_request', id],
      ['bo', 'forbidden', id],
    ]);
  });
});
