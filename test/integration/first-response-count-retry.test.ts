import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metrics } from '#shared/domain/metrics.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { metricsRepository } from '#shared/store/metrics-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('first-response-retry-admin');

/**
 * QA load sweep: agents' replies, one per conversation, a SIGKILL mid-run and a retry: every customer's
 * own metrics said 1 first response, `/api/metrics` 299 of 300. The reply's first-response write is
 * crashed here right after its mark on the conversation; the reply sent again through the agent API
 * settles the count the mark owed, so the overall figures equal the customer's.
 */
describe('local runtime: a reply retried after a crash between its mark and its count', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-rita:${TOKEN}:admin` },
      manualTime: manual,
      routing: false,
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);

  it('counts the first response once overall, as the customer metrics do, in both figures', async () => {
    const from = '447700900777';
    const body = whatsappText({
      from,
      messages: [{ id: 'wamid.RETRY1', at: new Date(manual.now()).toISOString(), text: 'Hi' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    const found = await api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${from}`);
    const customer = found.items[0] as Customer;
    const conversationId = customer.openConversationId as string;

    manual.advance(90_000);
    const at = new Date(manual.now()).toISOString();
    // The first attempt: its mark lands, then the process dies before the count.
    const faults = new DynamoFaults({ crashAfterWrite: 1 });
    const crashing = metricsRepository({
      doc: documentClient(faults.attach(inspectionClient(runtime.dynamoEndpoint))),
      table: 'threadline',
    });
    await expect(
      crashing.recordFirstResponse(conversationId, at, undefined, { responded: false }),
    ).rejects.toSatisfy((error: Error) => error.cause instanceof SimulatedCrash);

    // The retry, at the same time: the reply through the agent API.
    const res = await fetch(`${runtime.url}/api/conversations/${conversationId}/replies`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'idempotency-key': 'r1',
      },
      body: JSON.stringify({ text: 'Hello, Rita here.', channel: 'whatsapp' }),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    await runtime.idle();

    const { overall } = await api<{ overall: Metrics }>('GET', '/api/metrics');
    const { metrics } = await api<{ metrics: Metrics }>('GET', `/api/metrics?customerId=${customer.id}`);
    expect(metrics.firstResponseMs).toMatchObject({ conversations: 1, mean: 90_000 });
    expect(overall.firstResponseMs).toEqual({ median: null, mean: 90_000, conversations: 1 });
    expect(overall.firstHumanResponseMs).toEqual({ median: null, mean: 90_000, conversations: 1 });
  }, 60_000);
});
