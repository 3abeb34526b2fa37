import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentFetcher } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const SECRET = 'disable-hooks-meta-secret';
const ADMIN = agentToken('disable-hooks-admin-token');
const AGENT = agentToken('disable-hooks-agent-token');

type DeliveryView = {
  id: string;
  eventType: string;
  status: string;
  attempts: number;
  deliveredAt?: string;
  priorAttempts?: number;
  lastError?: string;
};

describe('local runtime: an endpoint that answered 410 loses nothing: its backlog waits until an admin enables it', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const timers = new ManualTimers(Date.now());
  /** What the integrator's endpoint answers message.received with. */
  let answer = 500;

  beforeAll(async () => {
    receiver = await startReceiver(({ body }) =>
      (JSON.parse(body) as { type: string }).type === 'message.received' ? answer : 200,
    );
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `admin-ana:${ADMIN}:admin,bo:${AGENT}` },
      events: true,
      webhookTimers: timers,
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const api = agentFetcher(() => runtime.url, ADMIN);
  const deliveries = async (subscriptionId: string, query = '') =>
    (
      (await (await api('GET', `/api/webhooks/${subscriptionId}/deliveries?limit=200${query}`)).json()) as {
        items: DeliveryView[];
      }
    ).items;
  const messages = async (from: string, texts: string[]) => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const payload = whatsappText({
      from,
      messages: texts.map((text, i) => ({ id: `wamid.${from}.${i}`, at, text })),
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
    await runtime.idle();
  };
  const received = (type: string) =>
    receiver.received.filter(
      (r) => (JSON.parse(r.body) as { type: string }).type === type && r.answer === 200,
    );
  /** The texts of the message.received events the endpoint took whose text matches. */
  const textsReceived = (pattern: RegExp) =>
    received('message.received')
      .map((r) => (JSON.parse(r.body) as { data: { text: string } }).data.text)
      .filter((text) => pattern.test(text));
  /** Two held untried, the one paused on its turn tried once (the log's order between them is not asserted). */
  const expectThreeHeld = async (subscriptionId: string) =>
    expect((await deliveries(subscriptionId)).map((d) => [d.status, d.attempts]).sort()).toEqual([
      ['paused', 0],
      ['paused', 0],
      ['paused', 1],
    ]);

  it('pauses the backlog on a 410, refuses to replay until enabled, and sends it all once enabled', async () => {
    const created = await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] });
    const subscription = (await created.json()) as { id: string };
    await messages('447700900811', ['gone 1', 'gone 2', 'gone 3']);
    expect((await deliveries(subscription.id)).map((d) => d.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);

    // The endpoint is gone when their retries come.
    answer = 410;
    timers.advance(6_000);
    await waitUntil(
      async () => (await deliveries(subscription.id)).every((d) => d.status === 'paused'),
      'every delivery paused',
    );
    const listed = (await (await api('GET', '/api/webhooks')).json()) as {
      items: Array<{ id: string; disabledReason?: string }>;
    };
    expect(listed.items.find((s) => s.id === subscription.id)?.disabledReason).toBe(
      'the endpoint answered 410 Gone',
    );
    expect(await deliveries(subscription.id, '&status=paused')).toHaveLength(3);
    expect(await deliveries(subscription.id, '&status=delivered')).toEqual([]);

    const [first] = await deliveries(subscription.id);
    const replay = await api('POST', `/api/webhooks/${subscription.id}/deliveries/${first?.id}/replay`);
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('webhook_disabled');

    // Back up: enabling resumes the three, each sent once.
    answer = 200;
    const enabled = await api('POST', `/api/webhooks/${subscription.id}/enable`);
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ id: subscription.id, resumed: 3, more: false });
    timers.advance(1_000);
    await waitUntil(
      async () => (await deliveries(subscription.id)).every((d) => d.status === 'delivered'),
      'every delivery delivered',
    );
    const texts = received('message.received').map(
      (r) => (JSON.parse(r.body) as { data: { text: string } }).data.text,
    );
    expect(texts.sort()).toEqual(['gone 1', 'gone 2', 'gone 3']);
    await api('DELETE', `/api/webhooks/${subscription.id}`);
  });

  it('holds the events made while it is disabled and sends each once when it is enabled', async () => {
    const created = await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] });
    const subscription = (await created.json()) as { id: string };
    answer = 410;
    await messages('447700900812', ['before 1']);
    await waitUntil(
      async () => (await deliveries(subscription.id)).every((d) => d.status === 'paused'),
      'the first delivery paused',
    );
    // The events function's list of subscriptions (1 s locally) now shows it disabled.
    timers.advance(1_100);
    await messages('447700900813', ['while 1', 'while 2']);
    await expectThreeHeld(subscription.id);
    const mine = () => textsReceived(/^(before|while) /);
    expect(mine()).toEqual([]);

    answer = 200;
    const enabled = await api('POST', `/api/webhooks/${subscription.id}/enable`);
    expect(await enabled.json()).toMatchObject({ resumed: 3, more: false });
    timers.advance(1_000);
    await waitUntil(
      async () => (await deliveries(subscription.id)).every((d) => d.status === 'delivered'),
      'every delivery delivered',
    );
    // Enabled again: nothing is left to resume, nothing goes out twice.
    expect(await (await api('POST', `/api/webhooks/${subscription.id}/enable`)).json()).toMatchObject({
      resumed: 0,
      more: false,
    });
    timers.advance(60_000);
    await runtime.idle();
    expect(mine().sort()).toEqual(['before 1', 'while 1', 'while 2']);
    await api('DELETE', `/api/webhooks/${subscription.id}`);
  });

  it('holds everything while an admin disables it (its retries and the events made since), and sends each once enabled', async () => {
    const created = await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] });
    const subscription = (await created.json()) as { id: string };
    answer = 500;
    await messages('447700900814', ['down 1']);
    expect((await deliveries(subscription.id)).map((d) => [d.status, d.attempts])).toEqual([['pending', 1]]);

    // The receiver goes down for maintenance: an admin disables the subscription (a second call changes nothing).
    const agent = await fetch(`${runtime.url}/api/webhooks/${subscription.id}/disable`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${AGENT}` },
    });
    expect(agent.status).toBe(403);
    const disabled = await api('POST', `/api/webhooks/${subscription.id}/disable`);
    expect(disabled.status).toBe(200);
    const view = (await disabled.json()) as { disabledAt: string; disabledReason: string };
    expect(view.disabledReason).toBe('disabled by an admin (admin-ana)');
    expect(view).not.toHaveProperty('secrets');
    expect(await (await api('POST', `/api/webhooks/${subscription.id}/disable`)).json()).toMatchObject({
      disabledAt: view.disabledAt,
    });
    // Its retry comes and is paused, not sent; the events function's list (1 s locally) then holds the new ones.
    timers.advance(6_000);
    await waitUntil(
      async () => (await deliveries(subscription.id)).every((d) => d.status === 'paused'),
      'the retry paused',
    );
    await messages('447700900815', ['during 1', 'during 2']);
    await expectThreeHeld(subscription.id);
    const mine = () => textsReceived(/^(down|during) /);
    expect(mine()).toEqual([]);

    answer = 200;
    expect(await (await api('POST', `/api/webhooks/${subscription.id}/enable`)).json()).toMatchObject({
      resumed: 3,
      more: false,
    });
    timers.advance(1_000);
    await waitUntil(
      async () => (await deliveries(subscription.id)).every((d) => d.status === 'delivered'),
      'every delivery delivered',
    );
    timers.advance(60_000);
    await runtime.idle();
    expect(mine().sort()).toEqual(['down 1', 'during 1', 'during 2']);
    const audit = (await (await api('GET', '/api/audit?limit=50')).json()) as {
      items: Array<{ action: string; agentId: string; outcome: string; webhookId?: string }>;
    };
    expect(
      audit.items
        .filter((r) => r.action === 'webhook_disable')
        .map((r) => [r.agentId, r.outcome, r.webhookId]),
    ).toEqual([
      ['admin-ana', 'ok', subscription.id],
      ['admin-ana', 'ok', subscription.id],
      ['bo', 'forbidden', subscription.id],
    ]);
    await api('DELETE', `/api/webhooks/${subscription.id}`);
  });

  it('refuses an unknown status filter with 400', async () => {
    const created = await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] });
    const subscription = (await created.json()) as { id: string };
    const res = await api('GET', `/api/webhooks/${subscription.id}/deliveries?status=bogus`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    await api('DELETE', `/api/webhooks/${subscription.id}`);
  });

  it('makes one subscription of a create retried, with or without an Idempotency-Key', async () => {
    const body = JSON.stringify({ url: `${receiver.url}?retried`, events: ['message.sent'] });
    const create = (key?: string) =>
      fetch(`${runtime.url}/api/webhooks`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${ADMIN}`,
          'content-type': 'application/json',
          ...(key ? { 'Idempotency-Key': key } : {}),
        },
        body,
      });
    const first = await create('create-once');
    expect(first.status).toBe(201);
    const made = (await first.json()) as { id: string; secret: string };
    const retried = await create('create-once');
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ id: made.id, secret: made.secret });
    const bare = await create();
    expect(bare.status).toBe(409);
    const refusal = (await bare.json()) as { error: { code: string; message: string } };
    expect(refusal.error.code).toBe('webhook_exists');
    expect(refusal.error.message).toContain(made.id);
    const listed = (await (await api('GET', '/api/webhooks')).json()) as { items: Array<{ url: string }> };
    expect(listed.items.filter((s) => s.url === `${receiver.url}?retried`)).toHaveLength(1);
  });
});
