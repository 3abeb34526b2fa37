import { describe, expect, it } from 'vitest';
import type { Metrics } from '#shared/domain/metrics.js';
import type { Customer } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';

const MINUTE = 60_000;

/**
 * QA (session 37): a conversation resolved with nobody having answered, then reopened by the customer,
 * counted its first response in the overall figures from the reopening message (`waitingSince` went
 * with the resolve), where the customer's own figures and the README count from its first message.
 */
describe('metrics: the first response of a conversation resolved unanswered and reopened', () => {
  const clock = useClockRuntime({
    metaSecret: 'metrics-reopened-secret',
    agent: { token: agentToken('metrics-reopened-ana'), admin: true },
    policyFile: slaPolicyFile(),
  });
  const metrics = async (query = '') =>
    await clock.api<{ overall?: Metrics; metrics?: Metrics }>('GET', `/api/metrics${query}`);
  const customerOf = async (from: string) =>
    (await clock.api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${from}`)).items[0] as Customer;
  const reply = async (conversationId: string, text: string) => {
    const sent = await clock.call('POST', `/api/conversations/${conversationId}/replies`, { text });
    expect(sent.status).toBe(202);
    await clock.idle();
  };

  it('counts from the first message, overall as for the customer, and once', async () => {
    const from = '447700900961';
    await clock.whatsapp({ from, id: 'wamid.reopened-1', text: 'Please cancel my subscription' });
    const customer = await customerOf(from);
    const conversationId = customer.openConversationId as string;
    await clock.advance(10 * MINUTE);
    await clock.api('POST', `/api/conversations/${conversationId}/resolve`, {});
    await clock.advance(10 * MINUTE);
    await clock.whatsapp({ from, id: 'wamid.reopened-2', text: 'hello? anyone there?' });
    expect((await customerOf(from)).openConversationId).toBe(conversationId);
    await clock.advance(2 * MINUTE);
    await reply(conversationId, 'Sorry, cancelling now');
    await clock.advance(MINUTE);
    await reply(conversationId, 'Done');

    const expected = { median: null, mean: 22 * MINUTE, conversations: 1 };
    const { overall } = await metrics();
    expect(overall?.firstResponseMs).toEqual(expected);
    expect(overall?.firstHumanResponseMs).toEqual(expected);
    const own = (await metrics(`?customerId=${customer.id}`)).metrics;
    expect(own?.firstResponseMs).toEqual({ ...expected, median: 22 * MINUTE });
    expect(own?.firstHumanResponseMs).toEqual({ ...expected, median: 22 * MINUTE });
    // The targets are as before: the first response's missed at 10 minutes, before the resolve; the
    // reopening's reply met the next response's.
    expect(overall?.sla).toMatchObject({
      firstResponse: { met: 0, missed: 1, resolvedUnanswered: 0 },
      nextResponse: { met: 1, missed: 0 },
      resolution: { met: 1, missed: 0 },
    });
  });

  it('counts a snoozed conversation the customer woke from its first message too', async () => {
    const from = '447700900962';
    const before = (await metrics()).overall?.firstResponseMs;
    await clock.whatsapp({ from, id: 'wamid.snoozed-1', text: 'I want a refund please' });
    const customer = await customerOf(from);
    const conversationId = customer.openConversationId as string;
    await clock.advance(2 * MINUTE);
    const until = new Date(clock.manual.now() + 18 * MINUTE).toISOString();
    await clock.api('POST', `/api/conversations/${conversationId}/snooze`, { until });
    await clock.advance(8 * MINUTE);
    await clock.whatsapp({ from, id: 'wamid.snoozed-2', text: 'still waiting...' });
    await clock.advance(20 * MINUTE);
    await reply(conversationId, 'Refund done');

    const own = (await metrics(`?customerId=${customer.id}`)).metrics;
    expect(own?.firstResponseMs).toEqual({ median: 30 * MINUTE, mean: 30 * MINUTE, conversations: 1 });
    const { overall } = await metrics();
    const total = (before?.mean ?? 0) * (before?.conversations ?? 0) + 30 * MINUTE;
    expect(overall?.firstResponseMs).toEqual({ median: null, mean: total / 2, conversations: 2 });
  });
});
