import { describe, expect, it } from 'vitest';
import type { Metrics } from '#shared/domain/metrics.js';
import type { Customer } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';

const MINUTE = 60_000;

/**
 * QA: with `aiRepliesCount: false` the AI's answer met no first-response target, yet the first response
 * time counted it: the mean said seconds where the target said the person answered 20 minutes late.
 * `firstHumanResponseMs` counts the first answer a person gave, from the customer's first message.
 */
describe('metrics: the first response a person gave', () => {
  const clock = useClockRuntime({
    metaSecret: 'metrics-human-secret',
    agent: { token: agentToken('metrics-human-ana'), admin: true },
    routing: true,
    policyFile: slaPolicyFile({ aiRepliesCount: false }),
  });
  const metrics = async (query = '') =>
    await clock.api<{ overall?: Metrics; metrics?: Metrics }>('GET', `/api/metrics${query}`);

  it('counts the AI answer in firstResponseMs, and the person 20 minutes later in firstHumanResponseMs', async () => {
    const from = '447700900901';
    await clock.whatsapp({ from, id: 'wamid.human-1', text: 'How long does shipping take?' });
    const found = await clock.api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${from}`);
    const customer = found.items[0] as Customer;
    const conversationId = customer.openConversationId as string;
    const first = (await metrics()).overall;
    // The AI answered at once: the first response, no person's yet.
    expect(first?.firstResponseMs.conversations).toBe(1);
    expect(first?.firstHumanResponseMs).toEqual({ median: null, mean: null, conversations: 0 });

    await clock.advance(MINUTE);
    await clock.whatsapp({ from, id: 'wamid.human-2', text: 'I want to talk to a real person' });
    await clock.advance(20 * MINUTE);
    const reply = await clock.call('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'Hi, Ed here',
    });
    expect(reply.status).toBe(202);
    await clock.idle();
    // A second reply is no first response of anyone's.
    await clock.call('POST', `/api/conversations/${conversationId}/replies`, { text: 'Anything else?' });
    await clock.idle();

    const { overall } = await metrics();
    expect(overall?.firstResponseMs).toEqual(first?.firstResponseMs);
    expect(overall?.firstHumanResponseMs).toEqual({ median: null, mean: 21 * MINUTE, conversations: 1 });
    expect(overall?.sla?.firstResponse).toMatchObject({ met: 0, missed: 1 });
    const own = (await metrics(`?customerId=${customer.id}`)).metrics;
    expect(own?.firstHumanResponseMs).toEqual({ median: 21 * MINUTE, mean: 21 * MINUTE, conversations: 1 });
  });
});
