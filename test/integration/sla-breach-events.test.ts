import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'sla-events-meta-secret';
const ADMIN = agentToken('sla-events-admin-token');
const MINUTE = 60_000;

/** The shipped routing policy plus one around-the-clock target: a first response within 10 minutes. */
function slaPolicy(): string {
  return shippedPolicyFileWith((policy) => {
    policy.sla = {
      policies: [{ name: 'chat-10m', match: {}, firstResponse: 'PT10M', calendar: false, onBreach: [] }],
    };
  });
}

/**
 * The clock's breach reaches integrators: the SLA timer fires under a clock the test moves, its
 * timeline event goes through the change feed, and the subscriber gets one signed `sla.breached`.
 */
describe('local runtime: an SLA breach is an sla.breached event', () => {
  const clock = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  // The deliverer keeps the real time, so the verifier (5 minutes of tolerance) accepts its timestamps.
  const webhookTimers = new ManualTimers(Date.now());
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `agent-ana:${ADMIN}:admin`,
        ROUTING_POLICY_FILE: slaPolicy(),
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

  it('delivers the breach once, with ids, metric, due time and policy, and no contact data', async () => {
    const created = await fetch(`${runtime.url}/api/webhooks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, events: ['sla.breached'] }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    const start = clock.now();
    const at = new Date(start).toISOString();
    const payload = whatsappText({
      from: '447700900777',
      name: 'Kit Moss',
      messages: [{ id: 'wamid.sla-1', at, text: 'Hello?' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();

    clock.advance(10 * MINUTE - 1000);
    await runtime.idle();
    expect(receiver.received).toEqual([]);
    clock.advance(1000);
    await runtime.idle();
    const customers = (await (
      await fetch(`${runtime.url}/api/customers?q=%2B447700900777`, {
        headers: { Authorization: `Bearer ${ADMIN}` },
      })
    ).json()) as { items: Customer[] };
    const conversationId = customers.items[0]?.openConversationId as string;
    const due = new Date(start + 10 * MINUTE).toISOString();
    // The same breach timer fired again (a timer delivered twice) sends nothing more.
    const timer = {
      id: 'again',
      kind: 'sla_breached',
      dueAt: due,
      subject: conversationId,
      version: due,
      detail: 'firstResponse',
    };
    await runtime.timers.send([JSON.stringify(timer)]);
    await runtime.idle();

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    const event = new Webhook(secret).verify(
      request?.body ?? '',
      request?.headers as Record<string, string>,
    ) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(event).toMatchObject({
      type: 'sla.breached',
      timestamp: due,
      data: {
        customerId: customers.items[0]?.id,
        conversationId,
        metric: 'firstResponse',
        due,
        policy: 'chat-10m',
        at: due,
      },
    });
    for (const personal of ['447700900777', 'Kit', 'Hello?']) expect(request?.body).not.toContain(personal);
  });
});
