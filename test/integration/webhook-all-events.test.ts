import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { useReceiver } from '../support/webhook-receiver.js';

type Made = { id: string; events: string[] };

/** `POST /api/webhooks {events: ["*"]}`: one subscription for every event, stored and shown as `*`. */
describe('local runtime: a subscription to all events', () => {
  const receiver = useReceiver();
  const rt = useClockRuntime({
    metaSecret: 'all-events-meta-secret',
    agent: { token: agentToken('all-events-admin-token'), admin: true },
    policyFile: slaPolicyFile(),
    events: true,
    webhookTimers: new ManualTimers(Date.now()),
  });

  it('takes "*" alone, shows it as such, and posts every type to it, the newest included', async () => {
    const mixed = await rt.call('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['*', 'message.received'],
    });
    expect(mixed.status).toBe(400);
    expect(JSON.stringify(mixed.body)).toContain('list it alone');
    const created = await rt.call<Made>('POST', '/api/webhooks', { url: receiver.url, events: ['*'] });
    expect(created.status).toBe(201);
    expect(created.body.events).toEqual(['*']);
    const listed = (await rt.api<{ items: Made[] }>('GET', '/api/webhooks')).items;
    expect(listed.map((item) => item.events)).toEqual([['*']]);
    // Another subscription of the URL would receive events twice: refused, naming this one.
    const twin = await rt.call('POST', '/api/webhooks', { url: receiver.url, events: ['sla.warning'] });
    expect(twin.status).toBe(409);

    await rt.whatsapp({ from: '447700900799', id: 'wamid.all-1', text: 'Hi' });
    await rt.advance(8 * 60_000);
    const types = new Set(receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type));
    for (const type of ['customer.created', 'conversation.opened', 'message.received', 'sla.warning']) {
      expect(types, type).toContain(type);
    }

    // An edit back to a list, and to "*" again.
    const { id } = created.body;
    const narrowed = await rt.api<Made>('PATCH', `/api/webhooks/${id}`, { events: ['message.received'] });
    expect(narrowed.events).toEqual(['message.received']);
    const widened = await rt.api<Made>('PATCH', `/api/webhooks/${id}`, { events: ['*'] });
    expect(widened.events).toEqual(['*']);
    expect((await rt.call('PATCH', `/api/webhooks/${id}`, { events: ['*', '*'] })).status).toBe(400);
  });
});
