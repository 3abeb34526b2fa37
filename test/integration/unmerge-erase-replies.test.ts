import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { agentFetcher } from '../support/agent-api.js';
import { customerIdOf } from '../support/open-conversation.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { idleAfterLaterLooks, SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, signedTwilio, twilioSms, whatsappText } from '../support/webhooks.js';

const ADMIN = 'unmerge-erase-replies-admin';

type Delivery = { id: string; customerId: string; status: string; eventType?: string };

/**
 * QA (privacy): a reply an agent sent while two customers were merged, by SMS to the returning
 * customer's number, went out as `message.sent` under the kept customer's id. The unmerge gave the reply
 * back, but its delivery stayed noted under the kept customer only: the returning customer's erasure
 * left its text in the delivery log, and a replay sent it again.
 */
describe('local runtime: our replies to a customer given back go with their erasure', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const queueTime = new SteppedTimers();

  beforeAll(async () => {
    receiver = await startReceiver(() => 200);
    runtime = await startTestRuntime({
      events: true,
      routing: true,
      queue: { timers: queueTime },
      env: { AGENT_TOKENS: `admin-dpo:${ADMIN}:admin`, ROUTING_POLICY_FILE: alwaysOpenPolicyFile() },
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const api = agentFetcher(() => runtime.url, ADMIN);
  const json = async <T>(method: string, path: string, body?: unknown) => {
    const res = await api(method, path, body);
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return (await res.json()) as T;
  };
  const sms = async (from: string, sid: string, text: string) => {
    const params = twilioSms({ sid, from, text });
    const res = await deliver(signedTwilio(`${runtime.url}/webhooks/twilio/sms`, params, SECRETS.twilio));
    expect(res.status).toBeLessThan(300);
    await idleAfterLaterLooks(runtime, queueTime);
  };

  it('strips the reply from the delivery log, refuses its replay (410) and audits it under the erased customer', async () => {
    const hook = await json<{ id: string }>('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['message.received', 'message.sent'],
    });
    const at = new Date().toISOString();
    const payload = whatsappText({
      from: '16505550101',
      name: 'Alice',
      messages: [{ id: 'wamid.AL1', at, text: 'Alice here' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta))).status).toBe(
      200,
    );
    await idleAfterLaterLooks(runtime, queueTime);
    await sms('+14155550202', 'SMBOB1', 'Bob here');
    const [alice, bob] = [
      await customerIdOf(runtime, '16505550101'),
      await customerIdOf(runtime, '14155550202'),
    ];
    await json('POST', `/api/customers/${alice}/merge`, { customerId: bob });
    await runtime.idle();
    await sms('+14155550202', 'SMBOB2', 'Bob while merged');
    const kept = await json<Customer>('GET', `/api/customers/${alice}`);
    await json('POST', `/api/conversations/${kept.openConversationId}/replies`, {
      text: 'REPLYSECRET for Bob',
      channel: 'sms',
    });
    await idleAfterLaterLooks(runtime, queueTime);
    await json('POST', `/api/customers/${alice}/unmerge`, { customerId: bob });
    await idleAfterLaterLooks(runtime, queueTime);

    const deliveries = (
      await json<{ items: Delivery[] }>('GET', `/api/webhooks/${hook.id}/deliveries?limit=50`)
    ).items;
    const client = inspectionClient(runtime.dynamoEndpoint);
    try {
      const stored = JSON.stringify(await scanTable(client, 'threadline'));
      expect(stored).toContain('REPLYSECRET');

      const erased = await api('DELETE', `/api/customers/${bob}`);
      expect(erased.status).toBe(200);
      expect(((await erased.json()) as { complete: boolean }).complete).toBe(true);
      await runtime.idle();
      const after = (await scanTable(client, 'threadline')).filter(
        (item) => item.entity === 'webhook_delivery',
      );
      expect(JSON.stringify(after)).not.toContain('REPLYSECRET');
      expect(JSON.stringify(after)).not.toContain('Bob while merged');
    } finally {
      client.destroy();
    }

    // No delivery of Bob's words, his or ours to him, goes out again; Alice's first message does.
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
    expect(sent).toContain('Alice here');
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);

    // The replays refused are audited under the customer the words were of.
    const audit = await json<{ items: Array<{ action: string; customerIds: string[]; outcome?: string }> }>(
      'GET',
      '/api/audit?action=webhook_replay&limit=50',
    );
    const refused = audit.items.filter((entry) => entry.customerIds.includes(bob));
    expect(refused.length).toBe(statuses.length - 1);
  }, 90_000);
});
