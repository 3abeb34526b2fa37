import { describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { newTimer } from '#shared/domain/timer-ports.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';

const MINUTE = 60_000;

/**
 * What a snooze leaves behind: a resolve ends it (no `snoozedUntil`, not in the snoozed inbox), its
 * timer then does nothing however often or late it fires, and an auto-resolve due by the snooze's end
 * resolves the conversation without waking it first. The SLA runs under a snooze, and the snoozed
 * inbox sorted by deadline shows it.
 */
describe('local runtime: a snooze ends with the resolve', () => {
  const clock = useClockRuntime({
    metaSecret: 'snooze-left-secret',
    agent: { token: agentToken('snooze-left-ana'), admin: true },
    routing: true,
    policyFile: slaPolicyFile({}, (policy) => {
      policy.autoResolve = { after: 'PT1H' };
    }),
  });
  const { manual, idle, advance, whatsapp, api } = clock;
  const open = async (from: string, id: string, text: string) => {
    await whatsapp({ from, id, text });
    const found = await api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${from}`);
    const customer = found.items[0] as Customer;
    return { customer, id: customer.openConversationId as string };
  };
  const events = async (customerId: string) => {
    const page = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline`);
    return page.items.flatMap((i) => (i.type === 'event' ? [i.event] : []));
  };

  it('a resolve clears the snooze, and its timer then does nothing, twice or late', async () => {
    const { customer, id } = await open(
      '447700900731',
      'wamid.left-1',
      'I want to speak to a person, please.',
    );
    const until = new Date(manual.now() + 60 * MINUTE).toISOString();
    await api('POST', `/api/conversations/${id}/snooze`, { until });
    await api('POST', `/api/conversations/${id}/resolve`);
    await idle();
    const resolved = await api<Conversation>('GET', `/api/conversations/${id}`);
    expect(resolved.status).toBe('resolved');
    expect(resolved.snoozedUntil).toBeUndefined();
    const snoozed = await api<{ items: Conversation[] }>('GET', '/api/conversations?status=snoozed');
    expect(snoozed.items.map((c) => c.id)).not.toContain(id);
    await advance(70 * MINUTE);
    const wake = newTimer({ kind: 'snooze_wake', subject: id, version: until, dueAt: until });
    await clock.runtime.timers.send([JSON.stringify(wake)]);
    await clock.runtime.timers.send([JSON.stringify(wake)]);
    await idle();
    expect(await events(customer.id)).not.toContain('woke');
    expect((await api<Conversation>('GET', `/api/conversations/${id}`)).status).toBe('resolved');
  });

  it('an auto-resolve due by the snooze end resolves it with no wake', async () => {
    const { customer, id } = await open(
      '447700900732',
      'wamid.left-2',
      'I want to speak to a person, please.',
    );
    await clock.call('POST', `/api/conversations/${id}/replies`, {
      text: 'Could you send the order number?',
    });
    await idle();
    const until = new Date(manual.now() + 90 * MINUTE).toISOString();
    await api('POST', `/api/conversations/${id}/snooze`, { until });
    for (let i = 0; i < 20; i++) await advance(5 * MINUTE);
    const resolved = await api<Conversation>('GET', `/api/conversations/${id}`);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: until });
    expect(resolved.snoozedUntil).toBeUndefined();
    const seen = await events(customer.id);
    expect(seen).toContain('resolved');
    expect(seen).not.toContain('woke');
  });

  it('the SLA runs under a snooze: the snoozed inbox by deadline lists it', async () => {
    const { id } = await open('447700900733', 'wamid.left-3', 'I want to speak to a person, please.');
    const until = new Date(manual.now() + 60 * MINUTE).toISOString();
    await api('POST', `/api/conversations/${id}/snooze`, { until });
    const due = await api<{ items: Conversation[] }>('GET', '/api/conversations?status=snoozed&sort=due');
    expect(due.items.map((c) => c.id)).toContain(id);
    await api('POST', `/api/conversations/${id}/wake`);
    await api('POST', `/api/conversations/${id}/resolve`);
    await idle();
  });
});
