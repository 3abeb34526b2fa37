import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { agentFetcher } from '../support/agent-api.js';
import { customerIdOf } from '../support/open-conversation.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { idleAfterLaterLooks, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';
import { smsText } from '../unit/fakes/envelopes.js';

const SECRET = 'unmerge-erase-meta-secret';
const ADMIN = 'unmerge-erase-admin-token';

type Delivery = { id: string; customerId: string; status: string };

/**
 * The README's way to erase one person of a merged group: unmerge, then erase. What the person wrote
 * while merged went out under the kept customer's id (its live events, its webhook deliveries, its
 * routing event, its number on the kept profile); the unmerge gives it back, so the erasure finds it.
 */
describe('local runtime: unmerge, then erase the customer given back: our replies to them', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const queueTime = new SteppedTimers();

  beforeAll(async () => {
    receiver = await startReceiver(() => 200);
    runtime = await startTestRuntime({
      live: true,
      events: true,
      routing: true,
      queue: { timers: queueTime },
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `admin-dpo:${ADMIN}:admin`,
        ROUTING_POLICY_FILE: alwaysOpenPolicyFile(),
      },
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const api = agentFetcher(() => runtime.url, ADMIN);
  const whatsapp = async (from: string, id: string, text: string) => {
    const at = new Date().toISOString();
    const payload = whatsappText({ from, name: `Name ${from}`, messages: [{ id, at, text }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
    await idleAfterLaterLooks(runtime, queueTime);
  };
  const customer = async (id: string) =>
    (await (await api('GET', `/api/customers/${id}`)).json()) as Customer;

  /**
   * QA (privacy): a reply an agent sent while merged, by SMS to the returning customer's number, went
   * out as `message.sent` under the kept customer's id; the unmerge gave the reply back, but its
   * delivery stayed noted under the kept customer only: the returning customer's erasure left its text
   * in the delivery log, and a replay sent it again.
   */
  it('strips our replies to the customer given back from the delivery log: replay 410, audited under them', async () => {
    const json = async <T>(method: string, path: string, body?: unknown) => {
      const res = await api(method, path, body);
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return (await res.json()) as T;
    };
    const sms = async (from: string, id: string, text: string) => {
      await runtime.inbound.send([JSON.stringify(smsText(from, id, text))]);
      await idleAfterLaterLooks(runtime, queueTime);
    };
    const hook = await json<{ id: string }>('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['message.sent'],
    });
    await whatsapp('16505550101', 'wamid.AL1', 'Alice here');
    await sms('+14155550202', 'SM-BOB1', 'Bob here');
    const [alice, bob] = [
      await customerIdOf(runtime, '16505550101'),
      await customerIdOf(runtime, '14155550202'),
    ];
    await json('POST', `/api/customers/${alice}/merge`, { customerId: bob });
    await runtime.idle();
    await sms('+14155550202', 'SM-BOB2', 'Bob while merged');
    const kept = await customer(alice);
    await json('POST', `/api/conversations/${kept.openConversationId}/replies`, {
      text: 'REPLYSECRET for Bob',
      channel: 'sms',
    });
    await idleAfterLaterLooks(runtime, queueTime);
    // The reply went out while merged, and its `message.sent` was delivered, before the unmerge: the
    // case this test is about.
    await expect
      .poll(
        async () =>
          (await json<{ items: Delivery[] }>('GET', `/api/webhooks/${hook.id}/deliveries?limit=50`)).items
            .length,
        { timeout: 30_000 },
      )
      .toBe(1);
    await json('POST', `/api/customers/${alice}/unmerge`, { customerId: bob });
    await idleAfterLaterLooks(runtime, queueTime);

    // The reply's `message.sent` is made once the provider took it: under load after the idle above.
    let deliveries: Delivery[] = [];
    await expect
      .poll(
        async () => {
          deliveries = (
            await json<{ items: Delivery[] }>('GET', `/api/webhooks/${hook.id}/deliveries?limit=50`)
          ).items;
          return deliveries.length;
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    const client = inspectionClient(runtime.dynamoEndpoint);
    const logged = async () =>
      JSON.stringify(
        (await scanTable(client, 'threadline')).filter((item) => item.entity === 'webhook_delivery'),
      );
    try {
      expect(await logged()).toContain('REPLYSECRET');
      const erased = await api('DELETE', `/api/customers/${bob}`);
      expect(erased.status).toBe(200);
      expect(((await erased.json()) as { complete: boolean }).complete).toBe(true);
      await runtime.idle();
      expect(await logged()).not.toContain('REPLYSECRET');
      expect(await logged()).not.toContain('Bob while merged');
    } finally {
      client.destroy();
    }

    // Our reply to Bob does not go out again.
    const before = receiver.received.length;
    const statuses: number[] = [];
    for (const delivery of deliveries) {
      statuses.push((await api('POST', `/api/webhooks/${hook.id}/deliveries/${delivery.id}/replay`)).status);
    }
    await runtime.idle();
    const sent = receiver.received
      .slice(before)
      .map((r) => r.body)
      .join('\n');
    expect(sent).not.toContain('REPLYSECRET');
    expect(sent).not.toContain('Bob');
    expect(statuses).toEqual([410]);

    // The replay refused is audited under the customer the words were of (the reply's delivery went
    // out under Alice's id: the erasure's strip names Bob).
    const audit = await json<{ items: Array<{ customerIds: string[] }> }>(
      'GET',
      '/api/audit?action=webhook_replay&limit=50',
    );
    expect(audit.items.filter((entry) => entry.customerIds.includes(bob))).toHaveLength(1);
  }, 90_000);
});
