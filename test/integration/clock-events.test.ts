import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { newTimer } from '#shared/domain/timer-ports.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { useReceiver } from '../support/webhook-receiver.js';

const MINUTE = 60_000;

type Received = { type: string; timestamp: string; data: Record<string, unknown> };

/**
 * What the conversation clock does reaches integrators: an SLA warning before the breach (once, however
 * often its timer fires), a snooze and its end, and an auto-resolve said to be the clock's.
 */
describe('local runtime: the clock’s warnings, snoozes, wake-ups and resolves are events', () => {
  const receiver = useReceiver();
  const rt = useClockRuntime({
    metaSecret: 'clock-events-meta-secret',
    agent: { token: agentToken('clock-events-admin-token'), admin: true },
    policyFile: slaPolicyFile({ nextResponse: undefined, resolution: undefined }, (policy) => {
      policy.autoResolve = { after: 'PT1H' };
    }),
    events: true,
    // The deliverer keeps the real time, so the verifier (5 minutes of tolerance) accepts its timestamps.
    webhookTimers: new ManualTimers(Date.now()),
  });
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 30_000) await rt.advance(30_000);
  };

  it('sends sla.warning once, conversation.snoozed, conversation.woke and a resolve by the clock', async () => {
    const created = await rt.call<{ secret: string }>('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['sla.warning', 'conversation.snoozed', 'conversation.woke', 'conversation.resolved'],
    });
    expect(created.status).toBe(201);
    const start = rt.manual.now();
    await rt.whatsapp({ from: '447700900788', name: 'Lee Park', id: 'wamid.clock-1', text: 'Anyone there?' });
    const [customer] = (await rt.api<{ items: Customer[] }>('GET', '/api/customers?q=%2B447700900788')).items;
    const customerId = customer?.id;
    const conversationId = customer?.openConversationId as string;

    // The warning is due at 80% of the 10-minute target; its timer delivered again sends nothing more.
    await step(8 * MINUTE);
    const due = new Date(start + 10 * MINUTE).toISOString();
    const warnedAt = new Date(start + 8 * MINUTE).toISOString();
    const warning = {
      kind: 'sla_warning',
      subject: conversationId,
      version: due,
      detail: 'firstResponse',
    } as const;
    await rt.runtime.timers.send([JSON.stringify(newTimer({ ...warning, dueAt: warnedAt }))]);
    await rt.idle();

    const reply = await rt.call('POST', `/api/conversations/${conversationId}/replies`, { text: 'Here!' });
    expect(reply.status).toBe(202);
    await rt.idle();
    const snoozedAt = new Date(rt.manual.now()).toISOString();
    const until = new Date(rt.manual.now() + 10 * MINUTE).toISOString();
    await rt.api('POST', `/api/conversations/${conversationId}/snooze`, { until });
    await rt.idle();
    await step(11 * MINUTE);
    await step(62 * MINUTE);

    const events = receiver.received.map(
      (request) =>
        new Webhook(created.body.secret).verify(
          request.body,
          request.headers as Record<string, string>,
        ) as Received,
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
