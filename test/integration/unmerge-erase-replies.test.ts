import { describe, expect, it } from 'vitest';
import { customerIdOf } from '../support/open-conversation.js';
import { idleAfterLaterLooks } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { unmergeEraseRuntime } from '../support/unmerge-erase-runtime.js';
import { smsText } from '../unit/fakes/envelopes.js';

type Delivery = { id: string; customerId: string; status: string };

/**
 * The README's way to erase one person of a merged group: unmerge, then erase. What the person wrote
 * while merged went out under the kept customer's id (its live events, its webhook deliveries, its
 * routing event, its number on the kept profile); the unmerge gives it back, so the erasure finds it.
 */
describe('local runtime: unmerge, then erase the customer given back: our replies to them', () => {
  const env = unmergeEraseRuntime();
  const { queueTime, api, whatsapp, customer } = env;

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
      await env.runtime.inbound.send([JSON.stringify(smsText(from, id, text))]);
      await idleAfterLaterLooks(env.runtime, queueTime);
    };
    const hook = await json<{ id: string }>('POST', '/api/webhooks', {
      url: env.receiver.url,
      events: ['message.sent'],
    });
    await whatsapp('16505550101', 'wamid.AL1', 'Alice here');
    await sms('+14155550202', 'SM-BOB1', 'Bob here');
    const [alice, bob] = [
      await customerIdOf(env.runtime, '16505550101'),
      await customerIdOf(env.runtime, '14155550202'),
    ];
    await json('POST', `/api/customers/${alice}/merge`, { customerId: bob });
    await env.runtime.idle();
    await sms('+14155550202', 'SM-BOB2', 'Bob while merged');
    const kept = await customer(alice);
    await json('POST', `/api/conversations/${kept.openConversationId}/replies`, {
      text: 'REPLYSECRET for Bob',
      channel: 'sms',
    });
    await idleAfterLaterLooks(env.runtime, queueTime);
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
    await idleAfterLaterLooks(env.runtime, queueTime);

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
    const client = inspectionClient(env.runtime.dynamoEndpoint);
    const logged = async () =>
      JSON.stringify(
        (await scanTable(client, 'threadline')).filter((item) => item.entity === 'webhook_delivery'),
      );
    try {
      expect(await logged()).toContain('REPLYSECRET');
      const erased = await api('DELETE', `/api/customers/${bob}`);
      expect(erased.status).toBe(200);
      expect(((await erased.json()) as { complete: boolean }).complete).toBe(true);
      await env.runtime.idle();
      expect(await logged()).not.toContain('REPLYSECRET');
      expect(await logged()).not.toContain('Bob while merged');
    } finally {
      client.destroy();
    }

    // Our reply to Bob does not go out again.
    const before = env.receiver.received.length;
    const statuses: number[] = [];
    for (const delivery of deliveries) {
      statuses.push((await api('POST', `/api/webhooks/${hook.id}/deliveries/${delivery.id}/replay`)).status);
    }
    await env.runtime.idle();
    const sent = env.receiver.received
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
