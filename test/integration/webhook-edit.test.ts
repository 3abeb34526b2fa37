import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/domain/audit.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { waitUntil } from '../support/webhooks.js';
import { envelope } from '../unit/fakes/envelopes.js';

const ADMIN = agentToken('webhook-edit-admin-token');
/** An answer's body: a subscription, or an error. */
type Answer = { id: string; secret: string; error: { code: string; message: string }; items: AuditRecord[] };
const AGENT = agentToken('webhook-edit-agent-token');

/**
 * An integrator who subscribed one endpoint twice with overlapping events received each shared event
 * twice, and could not fix it but by deleting one (losing its log) and creating another (a new secret).
 * Now a create that would overlap is refused naming the subscription to edit, and `PATCH` edits it.
 */
describe('local runtime: a subscription’s events are edited in place, and one URL gets each event once', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `zoe:${ADMIN}:admin,bo:${AGENT}` },
      events: true,
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const api = async (method: string, path: string, body?: unknown, token = ADMIN) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Answer };
  };

  it('refuses an overlapping create naming the first, edits the first instead, and delivers each event once', async () => {
    const first = await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] });
    expect(first.status).toBe(201);
    const { id, secret } = first.body as { id: string; secret: string };
    const twin = await api('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['message.received', 'conversation.opened'],
    });
    expect(twin.status).toBe(409);
    expect(twin.body.error.code).toBe('webhook_exists');
    expect(twin.body.error.message).toContain(`PATCH /api/webhooks/${id}`);
    // Other events to the same URL are another subscription, which may not take the first's either.
    const other = await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.sent'] });
    expect(other.status).toBe(201);
    const taking = { events: ['message.sent', 'message.received'] };
    const refused = await api('PATCH', `/api/webhooks/${other.body.id}`, taking);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'webhook_exists']);

    const edit = { events: ['message.received', 'conversation.opened'], description: 'CRM sync' };
    const edited = await api('PATCH', `/api/webhooks/${id}`, edit);
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id, url: receiver.url, ...edit });
    expect(edited.body).not.toHaveProperty('secrets');
    // The same edit again is answered the same, and changes nothing.
    expect(await api('PATCH', `/api/webhooks/${id}`, edit)).toEqual(edited);
    const cleared = await api('PATCH', `/api/webhooks/${id}`, { description: '' });
    expect(cleared.body).not.toHaveProperty('description');

    await runtime.inbound.send([
      JSON.stringify(
        envelope({
          id: 'sms:msg:edit-1',
          provider: 'twilio',
          channel: 'sms',
          kind: 'message',
          direction: 'inbound',
          providerMessageId: 'edit-1',
          occurredAt: new Date().toISOString(),
          receivedAt: new Date().toISOString(),
          rawRef: 'test#/',
          customer: { kind: 'phone', value: '+14155550142' },
          contentType: 'text',
          text: 'Where is my order?',
        }),
      ),
    ]);
    await runtime.idle();
    await waitUntil(() => receiver.received.length >= 2, 'two deliveries');
    await runtime.idle();
    const types = receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(types.sort()).toEqual(['conversation.opened', 'message.received']);
    // Signed with the secret the create answered: an edit keeps it.
    for (const r of receiver.received) {
      expect(() => new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    }
  });

  it('refuses an empty edit, a URL, an agent and an unknown subscription, each audited', async () => {
    const made = await api('POST', '/api/webhooks', {
      url: 'http://127.0.0.1:3199/hooks/edit',
      events: ['csat.received'],
    });
    const path = `/api/webhooks/${made.body.id}`;
    expect((await api('PATCH', path, {})).status).toBe(400);
    const url = await api('PATCH', path, { url: 'http://127.0.0.1:3199/hooks/other' });
    expect([url.status, url.body.error.message]).toEqual([400, expect.stringContaining('url')]);
    expect((await api('PATCH', path, { events: [] })).status).toBe(400);
    expect((await api('PATCH', path, { events: ['csat.received'] }, AGENT)).status).toBe(403);
    expect((await api('PATCH', '/api/webhooks/wh_missing', { description: 'x' })).status).toBe(404);
    const audit = (await api('GET', '/api/audit?limit=50')).body;
    const updates = audit.items.filter((r) => r.action === 'webhook_update');
    expect(updates.map((r) => [r.agentId, r.outcome, r.webhookId])).toEqual(
      expect.arrayContaining([
        ['zoe', 'not_found', 'wh_missing'],
        ['bo', 'forbidden', made.body.id],
        ['zoe', 'invalid_request', made.body.id],
        ['zoe', 'webhook_exists', expect.any(String)],
        ['zoe', 'ok', expect.any(String)],
      ]),
    );
  });
});
