import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTypeSchema } from '#shared/domain/events/integration-events.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { type Received, startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, waitUntil, whatsappStatus, whatsappText } from '../support/webhooks.js';

const SECRET = 'events-meta-secret';
const ADMIN = 'events-admin-token';
const ALL_EVENTS = EventTypeSchema.options;

describe('local runtime: integrators receive every event of a journey, signed, exactly once by webhook-id', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const timers = new ManualTimers(Date.now());

  beforeAll(async () => {
    // The first try of a message.received answers 500, the first of a conversation.opened never answers.
    receiver = await startReceiver(({ body, seen }) => {
      if (seen > 0) return 200;
      const { type } = JSON.parse(body) as { type: string };
      return type === 'message.received' ? 500 : type === 'conversation.opened' ? 'hang' : 200;
    });
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-ana:${ADMIN}:admin`, WEBHOOK_TIMEOUT_MS: '300' },
      events: true,
      webhookTimers: timers,
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const hook = async (payload: unknown) => {
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
    await runtime.idle();
  };
  const pending = async (id: string) => {
    const res = await api('GET', `/api/webhooks/${id}/deliveries?limit=200`);
    const { items } = (await res.json()) as { items: Array<{ status: string }> };
    return items.filter((d) => d.status === 'pending').length;
  };

  it('delivers customer, conversation and message events, retrying a 500 and a timeout', async () => {
    const created = await api('POST', '/api/webhooks', { url: receiver.url, events: ALL_EVENTS });
    expect(created.status).toBe(201);
    const subscription = (await created.json()) as { id: string; secret: string };
    expect(subscription.secret).toMatch(/^whsec_/);

    const now = Date.now();
    await hook(
      whatsappText({
        from: '447700900555',
        name: 'Eve',
        messages: [
          { id: 'wamid.EVE1', at: new Date(now - 60_000).toISOString(), text: 'Where is my order?' },
        ],
      }),
    );
    const found = (await (await api('GET', '/api/customers?q=%2B447700900555')).json()) as {
      items: Customer[];
    };
    const conversationId = found.items[0]?.openConversationId as string;
    const reply = await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'On its way.' });
    expect(reply.status).toBe(202);
    await runtime.idle();
    const wamid = runtime.outbox.entries()[0]?.providerMessageId as string;
    await hook(
      whatsappStatus({
        id: wamid,
        status: 'delivered',
        at: new Date().toISOString(),
        recipient: '447700900555',
      }),
    );
    await hook(
      whatsappStatus({ id: wamid, status: 'read', at: new Date().toISOString(), recipient: '447700900555' }),
    );
    expect((await api('POST', `/api/conversations/${conversationId}/assign`, { agentId: 'me' })).status).toBe(
      200,
    );
    expect((await api('POST', `/api/conversations/${conversationId}/resolve`)).status).toBe(200);
    await runtime.idle();

    // The two failed deliveries wait for their retry (5 s ± 10%): move the deliverer's clock past it.
    expect(await pending(subscription.id)).toBe(2);
    timers.advance(4_000);
    await runtime.idle();
    expect(await pending(subscription.id)).toBe(2);
    timers.advance(2_000);
    await waitUntil(async () => (await pending(subscription.id)) === 0, 'every delivery settled');

    const verifier = new Webhook(subscription.secret);
    const accepted = new Map<string, { type: string; data: Record<string, unknown> }>();
    for (const request of receiver.received) {
      const event = verifier.verify(request.body, request.headers as Record<string, string>) as {
        type: string;
        data: Record<string, unknown>;
      };
      if (request.answer === 200) accepted.set(String(request.headers['webhook-id']), event);
    }
    const types = [...accepted.values()].map((e) => e.type).sort();
    expect(types).toEqual(
      [
        'conversation.assigned',
        'conversation.opened',
        'conversation.resolved',
        'customer.created',
        'message.received',
        'message.sent',
        'message.status',
        'message.status',
        'message.status',
      ].sort(),
    );
    const statuses = [...accepted.values()]
      .filter((e) => e.type === 'message.status')
      .map((e) => e.data.status);
    expect(statuses.sort()).toEqual(['delivered', 'read', 'sent']);
    // Every request went to an id that was accepted in the end; the retried ones were sent twice.
    const tries = (id: string) =>
      receiver.received.filter((r: Received) => r.headers['webhook-id'] === id).length;
    expect([...accepted.keys()].map(tries).sort()).toEqual([1, 1, 1, 1, 1, 1, 1, 2, 2]);
    expect(receiver.received.every((r) => accepted.has(String(r.headers['webhook-id'])))).toBe(true);
    // No contact data in any payload.
    expect(receiver.received.some((r) => r.body.includes('447700900555') || r.body.includes('Eve'))).toBe(
      false,
    );

    const log = (await (await api('GET', `/api/webhooks/${subscription.id}/deliveries`)).json()) as {
      items: Array<{ eventType: string; status: string; attempts: number; lastError?: string }>;
    };
    expect(log.items.every((d) => d.status === 'delivered')).toBe(true);
    expect(
      log.items
        .filter((d) => d.attempts === 2)
        .map((d) => d.eventType)
        .sort(),
    ).toEqual(['conversation.opened', 'message.received']);
  });

  it('keeps the timeline as it was: the feed only reads', async () => {
    const found = (await (await api('GET', '/api/customers?q=%2B447700900555')).json()) as {
      items: Customer[];
    };
    const timeline = (await (await api('GET', `/api/customers/${found.items[0]?.id}/timeline`)).json()) as {
      items: TimelineItem[];
    };
    expect(timeline.items.filter((i) => i.type === 'message').length).toBe(2);
  });
});
