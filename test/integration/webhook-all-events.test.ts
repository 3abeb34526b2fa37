import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'all-events-meta-secret';
const ADMIN = 'all-events-admin-token';

/** `POST /api/webhooks {events: ["*"]}`: one subscription for every event, stored and shown as `*`. */
describe('local runtime: a subscription to all events', () => {
  const clock = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  const webhookTimers = new ManualTimers(Date.now());
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `agent-ana:${ADMIN}:admin`,
        ROUTING_POLICY_FILE: slaPolicyFile(),
      },
      conversationClock: true,
      timers: clock,
      clock: { now: () => new Date(clock.now()) },
      events: true,
      webhookTimers,
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  it('takes "*" alone, shows it as such, and posts every type to it, the newest included', async () => {
    const mixed = await call('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['*', 'message.received'],
    });
    expect(mixed.status).toBe(400);
    expect(JSON.stringify(mixed.body)).toContain('list it alone');
    const created = await call('POST', '/api/webhooks', { url: receiver.url, events: ['*'] });
    expect(created.status).toBe(201);
    expect(created.body.events).toEqual(['*']);
    const listed = (await call('GET', '/api/webhooks')).body.items as Array<{ events: string[] }>;
    expect(listed.map((item) => item.events)).toEqual([['*']]);
    // Another subscription of the URL would receive events twice: refused, naming this one.
    const twin = await call('POST', '/api/webhooks', { url: receiver.url, events: ['sla.warning'] });
    expect(twin.status).toBe(409);

    const start = clock.now();
    const payload = whatsappText({
      from: '447700900799',
      messages: [{ id: 'wamid.all-1', at: new Date(start).toISOString(), text: 'Hi' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    clock.advance(8 * 60_000);
    await runtime.idle();
    const types = new Set(receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type));
    for (const type of ['customer.created', 'conversation.opened', 'message.received', 'sla.warning']) {
      expect(types, type).toContain(type);
    }

    // An edit back to a list, and to "*" again.
    const id = created.body.id as string;
    const narrowed = await call('PATCH', `/api/webhooks/${id}`, { events: ['message.received'] });
    expect(narrowed.body.events).toEqual(['message.received']);
    const widened = await call('PATCH', `/api/webhooks/${id}`, { events: ['*'] });
    expect(widened.status).toBe(200);
    expect(widened.body.events).toEqual(['*']);
    expect((await call('PATCH', `/api/webhooks/${id}`, { events: ['*', '*'] })).status).toBe(400);
  });
});
