import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'clock-events-meta-secret';
const ADMIN = 'clock-events-admin-token';
const MINUTE = 60_000;

type Received = { type: string; timestamp: string; data: Record<string, unknown> };

/**
 * What the conversation clock does reaches integrators: an SLA warning before the breach (once, however
 * often its timer fires), a snooze and its end, and an auto-resolve said to be the clock's.
 */
describe('local runtime: the clock’s warnings, snoozes, wake-ups and resolves are events', () => {
  const clock = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  // The deliverer keeps the real time, so the verifier (5 minutes of tolerance) accepts its timestamps.
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
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 30_000) {
      clock.advance(30_000);
      await runtime.idle();
    }
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `agent-ana:${ADMIN}:admin`,
        ROUTING_POLICY_FILE: slaPolicyFile({ nextResponse: undefined, resolution: undefined }, (policy) => {
          policy.autoResolve = { after: 'PT1H' };
        }),
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

  it('sends sla.warning once, conversation.snoozed, conversation.woke and a resolve by the clock', async () => {
    const created = await call('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['sla.warning', 'conversation.snoozed', 'conversation.woke', 'conversation.resolved'],
    });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    const start = clock.now();
    const payload = whatsappText({
      from: '447700900788',
      name: 'Lee Park',
      messages: [{ id: 'wamid.clock-1', at: new Date(start).toISOString(), text: 'Anyone there?' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    const customers = (await call('GET', '/api/customers?q=%2B447700900788')).body.items as Customer[];
    const customerId = customers[0]?.id;
    const conversationId = customers[0]?.openConversationId as string;

    // The warning is due at 80% of the 10-minute target; its timer delivered again sends nothing more.
    await step(8 * MINUTE);
    const due = new Date(start + 10 * MINUTE).toISOString();
    const warnedAt = new Date(start + 8 * MINUTE).toISOString();
    const again = {
      id: 'again',
      kind: 'sla_warning',
      dueAt: warnedAt,
      subject: conversationId,
      version: due,
      detail: 'firstResponse',
    };
    await runtime.timers.send([JSON.stringify(again)]);
    await runtime.idle();

    expect(
      (await call('POST', `/api/conversations/${conversationId}/replies`, { text: 'Here!' })).status,
    ).toBe(202);
    await runtime.idle();
    const snoozedAt = new Date(clock.now()).toISOString();
    const until = new Date(clock.now() + 10 * MINUTE).toISOString();
    expect((await call('POST', `/api/conversations/${conversationId}/snooze`, { until })).status).toBe(200);
    await runtime.idle();
    await step(11 * MINUTE);
    await step(62 * MINUTE);

    const events = receiver.received.map(
      (request) =>
        new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as Received,
    );
    const ids = new Set(receiver.received.map((request) => request.headers['webhook-id']));
    expect(ids.size).toBe(receiver.received.length);
    expect(events.map((event) => event.type).sort()).toEqual([
      'conversation.resolved',
      'conversation.snoozed',
      'conversation.woke',
      'sla.warning',
    ]);
    const of = (type: string) => events.find((event) => event.type === type);
    expect(of('sla.warning')).toMatchObject({
      timestamp: warnedAt,
      data: { customerId, conversationId, metric: 'firstResponse', due, policy: 'chat', at: warnedAt },
    });
    expect(of('conversation.snoozed')).toMatchObject({
      timestamp: snoozedAt,
      data: { customerId, conversationId, until, by: 'agent-ana', snoozedAt },
    });
    expect(of('conversation.woke')).toMatchObject({
      timestamp: until,
      data: { customerId, conversationId, snoozedUntil: until, reason: 'timer', wokeAt: until },
    });
    expect(of('conversation.woke')?.data.by).toBeUndefined();
    expect(of('conversation.resolved')?.data).toMatchObject({ customerId, conversationId, by: 'clock' });
    for (const personal of ['447700900788', 'Lee', 'Anyone there?']) {
      for (const request of receiver.received) expect(request.body).not.toContain(personal);
    }
  });
});
