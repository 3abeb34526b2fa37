import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const SECRET = 'erasure-hooks-meta-secret';
const ADMIN = agentToken('erasure-hooks-admin-token');

type DeliveryView = {
  id: string;
  customerId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastError?: string;
};

describe('local runtime: an erased customer reaches no integrator from the first erase call on', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const timers = new ManualTimers(Date.now());
  /** The integrator's endpoint fails every message.received while this holds. */
  let failing = true;

  beforeAll(async () => {
    receiver = await startReceiver(({ body }) =>
      failing && (JSON.parse(body) as { type: string }).type === 'message.received' ? 500 : 200,
    );
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `admin-ana:${ADMIN}:admin` },
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
  const deliveries = async (subscriptionId: string) =>
    (
      (await (await api('GET', `/api/webhooks/${subscriptionId}/deliveries?limit=200`)).json()) as {
        items: DeliveryView[];
      }
    ).items;
  const customerWriting = async (from: string, texts: string[]): Promise<Customer> => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const payload = whatsappText({
      from,
      name: 'Wren Erased',
      messages: texts.map((text, i) => ({ id: `wamid.${from}.${i}`, at, text })),
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
    await runtime.idle();
    const found = (await (await api('GET', `/api/customers?q=%2B${from}`)).json()) as { items: Customer[] };
    return found.items[0] as Customer;
  };
  /** An erasure that stops after `deletes` deletes, as a heavy customer's first call does. */
  const eraseInPart = async (customerId: string, deletes: number) => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const privacy = privacyRepository({ doc: documentClient(client), table: 'threadline' }, runtime.store, {
      deletesPerCall: deletes,
    });
    try {
      return await privacy.erase(customerId, 'admin-ana', new Date().toISOString());
    } finally {
      client.destroy();
    }
  };

  it('cancels the pending deliveries of a customer whose erasure has begun, and drops their text', async () => {
    const created = await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] });
    const subscription = (await created.json()) as { id: string };
    const customer = await customerWriting('447700900711', [
      'wren-secret 1',
      'wren-secret 2',
      'wren-secret 3',
    ]);
    expect((await deliveries(subscription.id)).filter((d) => d.status === 'pending')).toHaveLength(3);

    const report = await eraseInPart(customer.id, 2);
    expect(report.complete).toBe(false);
    // The endpoint recovers while the erasure is still under way: the retries come due.
    failing = false;
    const before = receiver.received.length;
    timers.advance(6_000);
    await waitUntil(
      async () => (await deliveries(subscription.id)).every((d) => d.status !== 'pending'),
      'every delivery settled',
    );
    expect(receiver.received.slice(before)).toEqual([]);
    const log = await deliveries(subscription.id);
    expect(log.map((d) => [d.status, d.lastError])).toEqual(
      Array.from({ length: 3 }, () => ['cancelled', 'customer erased']),
    );
    await api('DELETE', `/api/webhooks/${subscription.id}`);
  });

  it('refuses to replay a delivery of an erased customer, and leaves it as it was', async () => {
    const created = await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] });
    const subscription = (await created.json()) as { id: string };
    const customer = await customerWriting('447700900722', ['replay-secret']);
    const [delivered] = await deliveries(subscription.id);
    expect(delivered).toMatchObject({ customerId: customer.id, status: 'delivered', attempts: 1 });

    // Being erased, then erased: a replay answers 410 either way.
    expect((await eraseInPart(customer.id, 1)).complete).toBe(false);
    const path = `/api/webhooks/${subscription.id}/deliveries/${delivered?.id}/replay`;
    const midway = await api('POST', path);
    expect(midway.status).toBe(410);
    expect((await api('DELETE', `/api/customers/${customer.id}`)).status).toBe(200);
    const before = receiver.received.length;
    const replay = await api('POST', path);
    expect(replay.status).toBe(410);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('gone');
    await runtime.idle();
    expect(receiver.received.slice(before)).toEqual([]);
    expect(await deliveries(subscription.id)).toEqual([delivered]);
    const audit = (await (await api('GET', '/api/audit?limit=10')).json()) as {
      items: Array<{ action: string; outcome: string; customerIds: string[] }>;
    };
    expect(audit.items.filter((a) => a.action === 'webhook_replay').map((a) => a.outcome)).toEqual([
      'gone',
      'gone',
    ]);
  });

  it('strips the text from every delivery of the customer at once, those of a deleted subscription too', async () => {
    failing = true;
    const subscriptions = await Promise.all(
      [1, 2].map(async (n) => {
        const url = `${receiver.url}?strip=${n}`;
        const created = await api('POST', '/api/webhooks', { url, events: ['message.received'] });
        return ((await created.json()) as { id: string }).id;
      }),
    );
    timers.advance(2_000); // past the publisher's cached subscription list
    const customer = await customerWriting('447700900733', ['strip-secret 1', 'strip-secret 2']);
    for (const id of subscriptions) {
      expect((await deliveries(id)).map((d) => d.status)).toEqual(['pending', 'pending']);
    }
    // One subscription is deleted: its deliveries wait in the log for a turn that has not come.
    expect((await api('DELETE', `/api/webhooks/${subscriptions[1]}`)).status).toBe(204);

    const client = inspectionClient(runtime.dynamoEndpoint);
    const holdingText = async () => {
      const out = await client.send(new ScanCommand({ TableName: 'threadline' }));
      return (out.Items ?? []).filter((item) => JSON.stringify(item).includes('strip-secret')).length;
    };
    try {
      expect(await holdingText()).toBeGreaterThanOrEqual(4);
      expect((await api('DELETE', `/api/customers/${customer.id}`)).status).toBe(200);
      // No retry has come due: the erasure itself took the text out of the log.
      expect(await holdingText()).toBe(0);
    } finally {
      client.destroy();
    }
    expect((await deliveries(subscriptions[0] as string)).map((d) => [d.status, d.lastError])).toEqual([
      ['cancelled', 'customer erased'],
      ['cancelled', 'customer erased'],
    ]);
    await api('DELETE', `/api/webhooks/${subscriptions[0]}`);
  });
});
