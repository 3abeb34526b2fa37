import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { runtimeMeter } from '../support/test-runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, waitUntil, whatsappBody } from '../support/webhooks.js';

const ADMIN = agentToken('message-deletion-admin-token');
const PHONE = '16505554444';
const CARD = 'my card is 4111 1111 1111 1111';
const EDITED = 'my card is 5500 0000 0000 0004';
const NOW_S = Math.floor(Date.now() / 1000);
const whatsapp = (ago: number, message: Record<string, unknown>) =>
  whatsappBody({
    contacts: [{ profile: { name: 'Kim' }, wa_id: PHONE }],
    messages: [{ from: PHONE, timestamp: String(NOW_S - ago), ...message }],
  });

/**
 * A customer's edit and deletion of a WhatsApp message reach integrators (`message.edited`, then
 * `message.deleted` with no words), and the deletion takes the words out of every delivery of the
 * message kept in the log: a replay of the first `message.received` (or of the edit) sends them no more.
 * Before, neither event went out, and the replay sent the card number again.
 */
describe('local runtime: a deleted message’s words leave the webhook delivery log', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const timers = new ManualTimers(Date.now());
  const meter = runtimeMeter();
  const logWrites: string[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-ana:${ADMIN}:admin` },
      events: true,
      timers,
      webhookTimers: timers,
      dynamoClient: (client) => {
        // Counts the writes to the delivery log: what the deletion adds to its own path.
        client.middlewareStack.add(
          (next, context) => async (args) => {
            const input = JSON.stringify(args.input);
            if (input.includes('WEBHOOK_DELIVERY#')) logWrites.push(String(context.commandName));
            return next(args);
          },
          { step: 'initialize' },
        );
        return meter.dynamoClient(client);
      },
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const api = agentRequest(() => runtime.url, ADMIN);
  const post = async (payload: unknown) => {
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
  };
  const holdingWords = async () => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items
      .filter((item) => String(item.pk).startsWith('WEBHOOK'))
      .filter((item) => {
        const json = JSON.stringify(item, (_k, v: unknown) => (v instanceof Set ? [...v] : v));
        return json.includes(CARD) || json.includes(EDITED);
      })
      .map((item) => String(item.pk));
  };

  it('tells of the edit and the deletion, and a replay of the message sends its words no more', async () => {
    const created = await api<{ id: string; secret: string }>('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['message.received', 'message.edited', 'message.deleted'],
    });
    expect(created.status).toBe(201);
    const subscription = created.json;
    const verifier = new Webhook(subscription.secret);
    const events = () =>
      receiver.received.map(
        (r) =>
          verifier.verify(r.body, r.headers as Record<string, string>) as {
            type: string;
            data: Record<string, unknown>;
          },
      );

    await post(whatsapp(90, { id: 'wamid.SECRET1', type: 'text', text: { body: CARD } }));
    await waitUntil(() => receiver.received.length === 1, 'message.received sent');
    await post(
      whatsapp(60, {
        id: 'wamid.EDIT1',
        type: 'edit',
        edit: { original_message_id: 'wamid.SECRET1', message: { type: 'text', text: { body: EDITED } } },
      }),
    );
    await waitUntil(() => receiver.received.length === 2, 'message.edited sent');
    meter.reset();
    logWrites.length = 0;
    await post(
      whatsapp(30, { id: 'wamid.REV1', type: 'revoke', revoke: { original_message_id: 'wamid.SECRET1' } }),
    );
    await waitUntil(() => receiver.received.length === 3, 'message.deleted sent');
    const deletionCost = meter.figures();
    const deletionLogWrites = [...logWrites];

    const [received, edited, deleted] = events();
    expect(received).toMatchObject({ type: 'message.received', data: { text: CARD } });
    const messageId = received?.data.messageId;
    expect(edited).toMatchObject({
      type: 'message.edited',
      data: { messageId, text: EDITED, channel: 'whatsapp' },
    });
    expect(deleted).toMatchObject({ type: 'message.deleted', data: { messageId, channel: 'whatsapp' } });
    expect(deleted?.data.text).toBeUndefined();
    // Both timed by the provider, as the timeline's items are (before, `deletedAt` was our receipt's).
    const sent = (ago: number) => new Date((NOW_S - ago) * 1000).toISOString();
    expect(edited?.data.editedAt).toBe(sent(60));
    expect(deleted?.data.deletedAt).toBe(sent(30));

    // No item of the webhooks holds either text any more (the log's deliveries were the last).
    expect(await holdingWords()).toEqual([]);
    // What the deletion did in the delivery log: one conditional UpdateItem per subscription and event
    // that held its words (the message's, then its edit's, each a change of its own), and message.deleted's
    // own delivery (its Put, the attempt's GetItem and its outcome's Put).
    expect(deletionLogWrites.sort()).toEqual(
      ['UpdateItemCommand', 'UpdateItemCommand', 'PutItemCommand', 'GetItemCommand', 'PutItemCommand'].sort(),
    );
    expect(deletionCost.calls).toBeLessThanOrEqual(34);

    // A replay of the first two sends them again, same webhook-id, without the words.
    const log = await api<{ items: Array<{ id: string; eventType: string }> }>(
      'GET',
      `/api/webhooks/${subscription.id}/deliveries`,
    );
    for (const type of ['message.received', 'message.edited']) {
      const delivery = log.json.items.find((d) => d.eventType === type);
      const replay = await api('POST', `/api/webhooks/${subscription.id}/deliveries/${delivery?.id}/replay`);
      expect(replay.status).toBe(202);
    }
    await runtime.idle();
    await waitUntil(() => receiver.received.length === 5, 'the two replays sent');
    const replayed = events().slice(3);
    expect(replayed.map((e) => e.type).sort()).toEqual(['message.edited', 'message.received']);
    for (const event of replayed) {
      expect(event.data.text).toBeUndefined();
      expect(event.data.messageId).toBe(messageId);
    }
    expect(receiver.received.slice(3).some((r) => r.body.includes('4111') || r.body.includes('5500'))).toBe(
      false,
    );
  });

  it('replays since an outage a message the provider sent late, timed days before; its 30 days count from its coming', async () => {
    type Logged = { eventType: string; createdAt: string; madeAt?: string };
    const subscription = (await api<{ items: Array<{ id: string }> }>('GET', '/api/webhooks')).json.items[0];
    const path = `/api/webhooks/${subscription?.id}`;
    const logged = async () =>
      (await api<{ items: Logged[] }>('GET', `${path}/deliveries?status=delivered`)).json.items;
    // The outage begins after everything the log holds so far.
    const times = (await logged()).map((d) => d.madeAt ?? d.createdAt).sort();
    const since = new Date(Date.parse(times.at(-1) ?? '') + 1).toISOString();
    const late = 'late: where is my order?';
    const body = whatsappBody({
      contacts: [{ profile: { name: 'Lee' }, wa_id: '16505554445' }],
      messages: [
        {
          from: '16505554445',
          id: 'wamid.LATE1',
          timestamp: String(NOW_S - 3 * 86_400),
          type: 'text',
          text: { body: late },
        },
      ],
    });
    const before = receiver.received.length;
    await post(body);
    await waitUntil(() => receiver.received.length === before + 1, 'the late message.received sent');
    // Its event's time is the provider's, 3 days before; Threadline made it since.
    const delivery = (await logged()).find((d) => Date.parse(d.createdAt) < Date.parse(since) - 86_400_000);
    expect(delivery?.madeAt !== undefined && delivery.madeAt >= since).toBe(true);
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    const stored = items.find(
      (i) => String(i.pk).startsWith('WEBHOOK_DELIVERY#') && i.madeAt === delivery?.madeAt,
    );
    expect(Number(stored?.ttl)).toBe(Math.floor(Date.parse(String(delivery?.madeAt)) / 1000) + 30 * 86_400);
    // An endpoint that lost what it took since the outage began gets it again, and only that.
    const replay = await api('POST', `${path}/replay`, { since, statuses: ['delivered'] });
    expect(replay).toEqual({ status: 202, json: { replayed: 1, gone: 0, cursor: null } });
    await runtime.idle();
    await waitUntil(() => receiver.received.length === before + 2, 'the late message replayed');
    expect(receiver.received.at(-1)?.body).toContain(late);
  });
});
