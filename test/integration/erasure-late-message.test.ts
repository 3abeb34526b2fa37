import { describe, expect, it, vi } from 'vitest';
import { SteppedTimers } from '#shared/local/timers.js';
import { logger } from '#shared/log.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoGate, type GatedCall } from '../support/dynamo-gate.js';
import { SECRETS } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const ADMIN = 'late-message-admin';
const TOKEN = agentToken('late-message-admin-token');
const PHONE = '16505550931';
const VISIBILITY_MS = 30_000;

/** The resolver's read of a profile (eventually consistent; the erasure reads it strongly). */
const profileRead = (customerId: string) => (call: GatedCall) =>
  call.operation === 'GetItem' &&
  call.body.includes(`"CUSTOMER#${customerId}"`) &&
  call.body.includes('"PROFILE"') &&
  !call.body.includes('ConsistentRead');

/**
 * A message of a returning customer whose identity the resolver read just before their erasure took it,
 * and whose profile it read once the erasure had finished (the tombstone): before, it went on as for a
 * customer with no profile yet, claimed the identity again for the erased id, wrote the message under
 * it, and its profile write met the tombstone (`ValidationException`: the tombstone's `identities` is a
 * count), so the message went to the dead-letter queue and the identity pointed at the tombstone for
 * good. Now it waits for the identities to be gone, as any message during an erasure does, and then
 * starts a new customer.
 */
describe('local runtime: a message whose customer is erased between its identity and profile reads', () => {
  const gate = new DynamoGate();
  const queueTime = new SteppedTimers();
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: SECRETS.meta, AGENT_TOKENS: `${ADMIN}:${TOKEN}:admin` },
    clock: { now: () => new Date(queueTime.now()) },
    queue: { timers: queueTime, visibilityTimeoutMs: VISIBILITY_MS },
    dynamoClient: (client) => gate.attach(client),
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const post = async (id: string, text: string) => {
    const at = new Date(queueTime.now()).toISOString();
    const body = whatsappText({ from: PHONE, name: 'Lena Late', messages: [{ id, at, text }] });
    const answer = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(answer.status).toBe(200);
  };
  const holder = () =>
    runtime.store.customers.findCustomerId({ kind: 'phone', value: `+${PHONE}` }, { consistent: true });
  const partition = async (customerId: string) => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items.filter((item) => item.pk === `CUSTOMER#${customerId}`);
  };

  it('keeps the tombstone, dead-letters nothing and starts a new customer on the retry', async () => {
    await post('wamid.late-first', 'Hello, first message');
    await runtime.idle();
    const erased = await holder();
    if (!erased) throw new Error('no customer');

    // The resolver's line for a record that failed: once it is written, that receipt is over.
    const failures: string[] = [];
    const codes: string[] = [];
    for (const level of ['warn', 'error'] as const) {
      const write = logger[level].bind(logger) as (...args: unknown[]) => void;
      vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
        const [message] = args;
        if (typeof message === 'string' && message.startsWith('envelope failed')) {
          failures.push(message);
          codes.push(String((args[1] as { code?: unknown } | undefined)?.code));
        }
        write(...args);
      });
    }
    gate.hold(profileRead(erased), 1);
    await post('wamid.late-second', 'Second message, sent as the erasure ran');
    await gate.arrived(1);
    const report = await api<{ complete: boolean }>('DELETE', `/api/customers/${erased}`);
    expect(report.complete).toBe(true);
    gate.release(0);
    await waitUntil(() => failures.length > 0, 'the first receipt failed');
    vi.restoreAllMocks();
    // Retried, not given up on: it waits out its visibility timeout.
    expect(failures).toEqual(['envelope failed, will be retried']);
    expect(codes).toEqual(['customer_erased_meanwhile']);

    expect(runtime.deadLetter.messages()).toEqual([]);
    // Nothing under the erased id but its tombstone: no message, no conversation, no profile again.
    const left = await partition(erased);
    expect(left.map((item) => item.entity)).toEqual(['erased_customer']);
    expect(JSON.stringify(left)).not.toContain('Second message');

    // The retry finds the identity gone and starts a new customer with the message.
    queueTime.advance(VISIBILITY_MS);
    await runtime.idle();
    expect(runtime.deadLetter.messages()).toEqual([]);
    const fresh = await holder();
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(erased);
    const texts = (await reads.timeline(String(fresh))).map((item) => ('text' in item ? item.text : ''));
    expect(texts).toContain('Second message, sent as the erasure ran');
    expect(texts).not.toContain('Hello, first message');
    expect((await partition(erased)).map((item) => item.entity)).toEqual(['erased_customer']);
  });
});
