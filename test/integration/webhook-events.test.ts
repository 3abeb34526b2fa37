import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTypeSchema } from '#shared/domain/events/integration-events.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentFetcher } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { documentedEvent, type EventDocument } from '../support/documented-event.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { type Received, startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, waitUntil, whatsappStatus, whatsappText } from '../support/webhooks.js';

const SECRET = 'events-meta-secret';
const ADMIN = agentToken('events-admin-token');
const AGENT = agentToken('events-agent-token');
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
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `agent-ana:${ADMIN}:admin,agent-bo:${AGENT}`,
        WEBHOOK_TIMEOUT_MS: '300',
      },
      events: true,
      webhookTimers: timers,
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const api = agentFetcher(() => runtime.url, ADMIN);
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
    // WhatsApp hands back on every status the key the send carried (biz_opaque_callback_data).
    const callbackData = runtime.outbox.entries()[0]?.replyKey;
    await hook(
      whatsappStatus({
        id: wamid,
        status: 'delivered',
        at: new Date().toISOString(),
        recipient: '447700900555',
        callbackData,
      }),
    );
    await hook(
      whatsappStatus({
        id: wamid,
        status: 'read',
        at: new Date().toISOString(),
        recipient: '447700900555',
        callbackData,
      }),
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

  it('lets only admins manage subscriptions, and refuses URLs into the network', async () => {
    expect((await api('GET', '/api/webhooks', undefined, AGENT)).status).toBe(403);
    const refused = await api('POST', '/api/webhooks', {
      url: 'http://10.0.0.8/hook',
      events: ['message.received'],
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('url refused');
    const list = (await (await api('GET', '/api/webhooks')).json()) as {
      items: Array<Record<string, unknown>>;
    };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).not.toHaveProperty('secrets');
    const audit = (await (await api('GET', '/api/audit')).json()) as { items: Array<{ action: string }> };
    expect(audit.items.map((a) => a.action)).toContain('webhook_create');
  });

  it('replays a delivery with the same webhook-id, signed with both secrets after a rotation', async () => {
    const [{ id }] = ((await (await api('GET', '/api/webhooks')).json()) as { items: [{ id: string }] })
      .items;
    const rotated = await api('POST', `/api/webhooks/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const { secret } = (await rotated.json()) as { secret: string };
    const log = (await (await api('GET', `/api/webhooks/${id}/deliveries?limit=1`)).json()) as {
      items: [{ id: string }];
      cursor: string | null;
    };
    expect(log.cursor).not.toBeNull();
    const deliveryId = log.items[0].id;
    const before = receiver.received.length;
    const replayed = await api('POST', `/api/webhooks/${id}/deliveries/${deliveryId}/replay`);
    expect(replayed.status).toBe(202);
    await runtime.idle();
    const again = receiver.received.slice(before);
    expect(again.map((r) => r.headers['webhook-id'])).toEqual([deliveryId]);
    const headers = again[0]?.headers as Record<string, string>;
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => new Webhook(secret).verify(again[0]?.body ?? '', headers)).not.toThrow();
    expect((await api('DELETE', `/api/webhooks/${id}`, undefined, AGENT)).status).toBe(403);
  });

  it('sends customer.unmerged when a merge is undone, and no message twice when it moves back', async () => {
    const now = Date.now();
    const write = (from: string, id: string, ago: number) =>
      hook(whatsappText({ from, messages: [{ id, at: new Date(now - ago).toISOString(), text: id }] }));
    await write('447700900601', 'wamid.UMA1', 50_000);
    await write('447700900602', 'wamid.VAL1', 40_000);
    const idOf = async (phone: string) =>
      ((await (await api('GET', `/api/customers?q=%2B${phone}`)).json()) as { items: Customer[] }).items[0]
        ?.id as string;
    const [target, source] = [await idOf('447700900601'), await idOf('447700900602')];
    const before = receiver.received.length;
    expect((await api('POST', `/api/customers/${target}/merge`, { customerId: source })).status).toBe(200);
    await write('447700900602', 'wamid.VAL2', 30_000);
    expect((await api('POST', `/api/customers/${target}/unmerge`, { customerId: source })).status).toBe(200);
    await runtime.idle();
    // Each event once by its webhook-id (a first try answered 500 is tried again later).
    const events = new Map<string, { type: string; data: Record<string, unknown> }>();
    for (const r of receiver.received.slice(before))
      events.set(String(r.headers['webhook-id']), JSON.parse(r.body));
    const ofPair = [...events.values()].filter((e) => [target, source].includes(String(e.data.customerId)));
    expect(ofPair.map((e) => `${e.type} ${e.data.messageId ?? e.data.customerId}`).sort()).toEqual(
      [
        `customer.merged ${source}`,
        // The merge resolves the source's open conversation (it had one).
        `conversation.resolved ${source}`,
        'message.received whatsapp:wamid.VAL2',
        `customer.unmerged ${source}`,
        // Nobody answered the source's message (wamid.VAL1): the unmerge opens its conversation again.
        `conversation.opened ${source}`,
      ].sort(),
    );
    const unmerged = ofPair.find((e) => e.type === 'customer.unmerged');
    expect(unmerged?.data).toEqual({
      customerId: source,
      unmergedFrom: target,
      unmergedAt: expect.any(String),
      by: 'agent-ana',
    });
  });

  it('sends customer.erased when a customer is erased, and nothing more of theirs', async () => {
    const found = (await (await api('GET', '/api/customers?q=%2B447700900555')).json()) as {
      items: Customer[];
    };
    const before = receiver.received.length;
    expect((await api('DELETE', `/api/customers/${found.items[0]?.id}`)).status).toBe(200);
    await runtime.idle();
    const types = receiver.received.slice(before).map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(types).toEqual(['customer.erased']);
  });

  it('sends bodies each valid against the schema /api/openapi.json gives its event type', async () => {
    const doc = (await (await fetch(`${runtime.url}/api/openapi.json`)).json()) as EventDocument;
    const bodies = receiver.received.map((r) => JSON.parse(r.body) as { type: string });
    expect(new Set(bodies.map((b) => b.type)).size).toBeGreaterThanOrEqual(8);
    for (const body of bodies) {
      expect(documentedEvent(doc, body.type).safeParse(body).error?.issues, body.type).toBeUndefined();
    }
  });
});
