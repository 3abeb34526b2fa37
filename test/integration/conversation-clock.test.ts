import { describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';

const MINUTE = 60_000;

/** The shipped policy with an `escalations` queue and a WhatsApp first-response target of 10 minutes. */
function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.queues.push({ name: 'escalations' });
    policy.sla = {
      policies: [
        {
          name: 'whatsapp',
          match: { channels: ['whatsapp'] },
          firstResponse: 'PT10M',
          nextResponse: 'PT10M',
          resolution: 'P1D',
          calendar: false,
          warnAt: 0.5,
          onBreach: [
            { type: 'priority', priority: 'urgent' },
            { type: 'queue', queue: 'escalations' },
            { type: 'note', text: 'SLA breached: answer now.' },
          ],
        },
      ],
    };
  });
}

/**
 * Time moves only when the test says so: a WhatsApp conversation warns at half its first-response
 * target, then breaches it and escalates; a snoozed conversation wakes when the customer writes, or
 * when its time comes; timers that fire twice do nothing more.
 */
describe('local runtime: the conversation clock', () => {
  const clock = useClockRuntime({
    metaSecret: 'clock-meta-secret',
    agent: { token: agentToken('clock-ana-token') },
    policyFile: policyFile(),
  });
  const { manual, idle, advance, call } = clock;
  const whatsapp = (id: string, text: string) =>
    clock.whatsapp({ from: '447700900555', name: 'Sam Hale', id, text });
  const customer = async () =>
    (await call<{ items: Customer[] }>('GET', '/api/customers?q=%2B447700900555')).body.items[0] as Customer;
  const conversation = async () => {
    const id = (await customer()).openConversationId as string;
    return (await clock.runtime.store.conversations.getConversation(id)) as Conversation;
  };
  const events = async (event: string) => {
    const { id } = await customer();
    const items = (await call<{ items: TimelineItem[] }>('GET', `/api/customers/${id}/timeline?limit=200`))
      .body.items;
    return items.filter((i) => i.event === event || (event === 'note' && i.type === 'note'));
  };
  const openInbox = async () =>
    (await call<{ items: Conversation[] }>('GET', '/api/conversations?status=open')).body.items.map(
      (c) => c.id,
    );

  it('warns at half the first-response target, then breaches it and escalates', async () => {
    const start = manual.now();
    await whatsapp('wamid.clock-1', 'Where is my parcel?');
    const opened = await conversation();
    expect(opened.sla).toMatchObject({
      policy: 'whatsapp',
      status: 'active',
      firstResponseDue: new Date(start + 10 * MINUTE).toISOString(),
      resolutionDue: new Date(start + 1440 * MINUTE).toISOString(),
    });

    await advance(5 * MINUTE - 1000);
    expect(await events('sla_warning')).toEqual([]);
    await advance(1000);
    const warnings = await events('sla_warning');
    expect(warnings.map((w) => w.data?.metric)).toEqual(['firstResponse']);
    expect(await events('sla_breached')).toEqual([]);

    await advance(5 * MINUTE);
    const breaches = await events('sla_breached');
    expect(breaches.map((b) => b.data?.metric)).toEqual(['firstResponse']);
    const escalated = await conversation();
    expect(escalated).toMatchObject({ priority: 'urgent', queue: 'escalations' });
    expect(escalated.sla).toMatchObject({
      status: 'missed',
      breaches: [{ metric: 'firstResponse', at: new Date(start + 10 * MINUTE).toISOString() }],
    });
    expect((await events('note')).map((n) => n.text)).toEqual(['SLA breached: answer now.']);

    const due = await call<{ items: Conversation[] }>('GET', '/api/conversations?sort=due');
    expect(due.body.items.map((c) => c.id)).toEqual([escalated.id]);
    const metrics = await call<{ overall: { sla: unknown } }>('GET', '/api/metrics');
    expect(metrics.body.overall.sla).toMatchObject({
      firstResponse: { met: 0, missed: 1, share: 0 },
      byChannel: { whatsapp: { firstResponse: { missed: 1 } } },
      // Nobody answered it: a person's miss, not the AI's (before 2026-12-06 `ai`, nobody holding it).
      byAi: { human: { firstResponse: { missed: 1 } } },
    });
  }, 30_000);

  it('drops a breach timer that fires again, and one whose target was met', async () => {
    const before = await conversation();
    const due = before.sla?.firstResponseDue as string;
    const timer = {
      id: `again-${due}`,
      kind: 'sla_breached',
      dueAt: due,
      subject: before.id,
      version: due,
      detail: 'firstResponse',
    };
    await clock.runtime.timers.send([
      JSON.stringify(timer),
      JSON.stringify({ ...timer, kind: 'sla_warning' }),
    ]);
    await idle();
    expect(await events('sla_breached')).toHaveLength(1);
    expect(await events('sla_warning')).toHaveLength(1);
    expect(await events('note')).toHaveLength(1);
    expect((await conversation()).sla?.breaches).toHaveLength(1);

    const reply = await call('POST', `/api/conversations/${before.id}/replies`, { text: 'On its way.' });
    expect(reply.status).toBe(202);
    await idle();
    const answered = await conversation();
    expect(answered.sla?.firstResponseDue).toBeUndefined();
    expect(answered.sla?.waitingOn).toBe('customer');
    // The resolution clock is paused while the customer owes the answer: no timer is running for it.
    expect(answered.sla?.resolutionDue).toBeUndefined();
    expect(answered.sla?.resolutionLeftMs).toBe(1430 * MINUTE);
  });

  it('snoozes out of the inbox until the customer writes, and the cancelled timer does nothing', async () => {
    const { id } = await conversation();
    const until = new Date(manual.now() + 60 * MINUTE).toISOString();
    const snoozed = await call<Conversation>('POST', `/api/conversations/${id}/snooze`, { until });
    expect(snoozed.status).toBe(200);
    expect(snoozed.body.snoozedUntil).toBe(until);
    expect(await openInbox()).not.toContain(id);

    await advance(10 * MINUTE);
    await whatsapp('wamid.clock-2', 'Any news?');
    expect(await openInbox()).toContain(id);
    const woke = await events('woke');
    expect(woke.map((w) => w.data?.reason)).toEqual(['customer']);
    expect((await conversation()).snoozedUntil).toBeUndefined();
    // The customer wrote: the next response is due, and resolution time runs again.
    expect((await conversation()).sla).toMatchObject({ waitingOn: 'agent' });
    expect((await conversation()).sla?.nextResponseDue).toBe(
      new Date(manual.now() + 10 * MINUTE).toISOString(),
    );

    await advance(60 * MINUTE);
    expect(await events('woke')).toHaveLength(1);
  });

  it('wakes a snoozed conversation when its time comes, once', async () => {
    const { id } = await conversation();
    const until = new Date(manual.now() + 30 * MINUTE).toISOString();
    expect((await call('POST', `/api/conversations/${id}/snooze`, { until })).status).toBe(200);
    await advance(30 * MINUTE);
    expect(await openInbox()).toContain(id);
    expect((await events('woke')).map((w) => w.data?.reason)).toEqual(['customer', 'timer']);
  });

  it('lists snoozed conversations with status=snoozed, and an agent wakes one early, once', async () => {
    const { id } = await conversation();
    const until = new Date(manual.now() + 30 * MINUTE).toISOString();
    expect((await call('POST', `/api/conversations/${id}/snooze`, { until })).status).toBe(200);
    const snoozed = await call<{ items: Conversation[] }>('GET', '/api/conversations?status=snoozed');
    expect(snoozed.status).toBe(200);
    expect(snoozed.body.items.map((c) => [c.id, c.snoozedUntil])).toEqual([[id, until]]);
    expect(await openInbox()).not.toContain(id);

    const woken = await call<Conversation>('POST', `/api/conversations/${id}/wake`);
    expect(woken.status).toBe(200);
    expect(woken.body.snoozedUntil).toBeUndefined();
    expect(await openInbox()).toContain(id);
    expect(
      (await call<{ items: Conversation[] }>('GET', '/api/conversations?status=snoozed')).body.items,
    ).toEqual([]);
    const woke = await events('woke');
    expect(woke.at(-1)?.data).toMatchObject({ reason: 'agent', by: 'agent-ana', snoozedUntil: until });
    expect((await call('POST', `/api/conversations/${id}/wake`)).status).toBe(409);
    await advance(30 * MINUTE);
    expect(await events('woke')).toHaveLength(woke.length);
  });

  it('applies an answer and a resolve at the very instant of the message, and a redelivery once', async () => {
    const phone = '447700900556';
    const message = (id: string) => clock.whatsapp({ from: phone, name: 'Tie Lee', id, text: 'Hello?' });
    await message('wamid.tie-1');
    const found = await call<{ items: Customer[] }>('GET', `/api/customers?q=%2B${phone}`);
    const id = (found.body.items[0] as Customer).openConversationId as string;
    const tied = async () => (await clock.runtime.store.conversations.getConversation(id)) as Conversation;
    // The agent answers in the same millisecond as the message (the test's clock does not move).
    expect((await call('POST', `/api/conversations/${id}/replies`, { text: 'Hi!' })).status).toBe(202);
    await idle();
    expect((await tied()).sla).toMatchObject({ waitingOn: 'customer', responded: true });
    expect((await tied()).sla?.firstResponseDue).toBeUndefined();
    // The same message again, at the same instant, is the same event: it does not start a wait.
    await message('wamid.tie-1');
    expect((await tied()).sla?.waitingOn).toBe('customer');

    await advance(MINUTE);
    await message('wamid.tie-2');
    expect((await tied()).sla?.nextResponseDue).toBe(new Date(manual.now() + 10 * MINUTE).toISOString());
    const resolved = await call('POST', `/api/conversations/${id}/resolve`, { csat: false });
    expect(resolved.status).toBe(200);
    await idle();
    const ended = await tied();
    expect(ended.sla).toMatchObject({ status: 'hit', endedAt: new Date(manual.now()).toISOString() });
    expect(ended.sla?.nextResponseDue).toBeUndefined();
    await message('wamid.tie-2');
    expect((await tied()).sla).toEqual(ended.sla);
  });

  it('refuses a snooze in the past, and of an unknown conversation', async () => {
    const { id } = await conversation();
    const past = new Date(manual.now() - MINUTE).toISOString();
    expect((await call('POST', `/api/conversations/${id}/snooze`, { until: past })).status).toBe(422);
    expect((await call('POST', `/api/conversations/${id}/snooze`, { until: 'tomorrow' })).status).toBe(400);
    const future = new Date(manual.now() + MINUTE).toISOString();
    expect((await call('POST', '/api/conversations/cv_nobody/snooze', { until: future })).status).toBe(404);
  });
});
