import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_TIME_GRANULARITY_MS } from '#shared/domain/profile-touch.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { customerListPartition } from '#shared/store/customer-list.js';
import { inboxShardPartition, Keys, nameShardPartition } from '#shared/store/keys.js';
import { nameWordPartition } from '#shared/store/name-words.js';
import { countKeyWrites } from '../support/key-writes.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const MINUTE = 60_000;
const QUESTION = 'How long does shipping take?';

/**
 * The list index (gsi1k: inbox, names, agents, webhooks) projects keys and the inbox filters only, so
 * the writes a message makes of its conversation (the touch, the first-response mark) and of its
 * profile (the occasional touch) write no index entry, nor in the customer list index (gsi3, keys
 * only, set by the profile's first write): counted on the real DynamoDB API (dynalite)
 * through the local runtime with routing on and the AI answering, every write read around and its
 * index partition counted when what the index holds of the item changed, as DynamoDB bills it.
 */
describe('local runtime: per-message writes write no list index entry', () => {
  const time = new ManualTimers(Date.parse('2026-03-02T09:00:00.000Z'));
  let runtime: LocalRuntime;
  let writes = new Map<string, number>();
  let doc: DynamoDBDocumentClient;
  let sequence = 0;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      dynamoClient: (client) => {
        writes = countKeyWrites(client);
        doc = DynamoDBDocumentClient.from(client);
        return client;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const post = async (phone: string, id: string, at: number) => {
    const body = whatsappText({
      from: phone,
      name: 'Lena Index',
      messages: [{ id, at: new Date(at).toISOString(), text: QUESTION }],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  /** The list index partitions (and the customer list index's) written while `send` ran, with their counts. */
  const indexWrites = async (send: () => Promise<unknown>) => {
    await runtime.idle();
    writes.clear();
    await send();
    await runtime.idle();
    return Object.fromEntries([...writes].filter(([key]) => /^gsi[13]pk=/.test(key)));
  };
  const item = async (key: { pk: string; sk: string }) =>
    (await doc.send(new GetCommand({ TableName: 'threadline', Key: key, ConsistentRead: true }))).Item;
  const customerOf = async (phone: string) => {
    const id = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${phone}` },
      { consistent: true },
    );
    const customer = id ? await runtime.store.customers.getCustomer(id) : undefined;
    if (!customer?.openConversationId) throw new Error(`no open conversation for +${phone}`);
    return { customerId: customer.id, conversationId: customer.openConversationId };
  };
  const openInbox = async () =>
    (await runtime.store.conversations.inbox({ status: 'open' }, { limit: 50 })).items;

  it("indexes a new customer's conversation and name once; the first-response mark writes no entry", async () => {
    const phone = '15550300001';
    const first = await indexWrites(() => post(phone, `wamid.LI${++sequence}`, time.now()));
    const { customerId, conversationId } = await customerOf(phone);
    const conversation = await item(Keys.conversation(conversationId));
    // The AI answered, and the conversation took its first-response mark in the same run.
    expect(conversation?.firstResponseAt).toEqual(expect.any(String));
    // The answer ended the wait: the first-response mark listed it after the waiting ones, once.
    expect(conversation?.waitingSince).toBeUndefined();
    expect(first).toEqual({
      [`gsi1pk=${inboxShardPartition('open', conversationId)}`]: 1,
      [`gsi1pk=${nameShardPartition(customerId)}`]: 1,
      // "Lena Index": the entry that finds her by her surname.
      [`gsi1pk=${nameWordPartition(customerId, 1)}`]: 1,
      // Her place in the customers list (its own index, keys only), by her profile's first write only.
      [`gsi3pk=${customerListPartition(customerId)}`]: 1,
    });
    expect((await openInbox()).map((c) => c.id)).toContain(conversationId);
    expect(
      (await runtime.store.customers.findCustomersByName('lena ind', { limit: 5 })).items.map((c) => c.id),
    ).toEqual([customerId]);
    expect(
      (await runtime.store.customers.findCustomersByName('ind', { limit: 5 })).items.map((c) => c.id),
    ).toEqual([customerId]);
  });

  it("writes no index entry for a returning customer's messages, with or without the profile's touch", async () => {
    const phone = '15550300002';
    const t0 = time.now();
    await post(phone, `wamid.LI${++sequence}`, t0);
    const { customerId, conversationId } = await customerOf(phone);
    const waitingSince = (await item(Keys.conversation(conversationId)))?.waitingSince;
    for (const offset of [2 * MINUTE, 4 * MINUTE]) {
      time.advance(2 * MINUTE);
      expect(await indexWrites(() => post(phone, `wamid.LI${++sequence}`, t0 + offset))).toEqual({});
    }
    // Past the profile's time granularity its touch writes the (named, indexed) profile: still no entry.
    const profileBefore = await item(Keys.customer(customerId));
    time.advance(PROFILE_TIME_GRANULARITY_MS);
    const late = t0 + PROFILE_TIME_GRANULARITY_MS + 5 * MINUTE;
    expect(await indexWrites(() => post(phone, `wamid.LI${++sequence}`, late))).toEqual({});
    const profileAfter = await item(Keys.customer(customerId));
    expect(profileAfter?.lastInboundAt).toBe(new Date(late).toISOString());
    expect(profileAfter?.lastInboundAt).not.toBe(profileBefore?.lastInboundAt);
    // The conversation moved on and kept its place in the inbox, with the state it has now.
    const conversation = await item(Keys.conversation(conversationId));
    expect(conversation?.lastMessageAt).toBe(new Date(late).toISOString());
    expect(conversation?.waitingSince).toBe(waitingSince);
    const listed = (await openInbox()).find((c) => c.id === conversationId);
    expect(listed?.lastMessageAt).toBe(new Date(late).toISOString());
  });

  it('writes nothing to the index for a redelivered message, and lists its conversation once', async () => {
    const phone = '15550300003';
    const id = `wamid.LI${++sequence}`;
    const at = time.now();
    await post(phone, id, at);
    const { conversationId } = await customerOf(phone);
    const before = await item(Keys.conversation(conversationId));
    expect(await indexWrites(() => post(phone, id, at))).toEqual({});
    expect(await item(Keys.conversation(conversationId))).toEqual(before);
    expect((await openInbox()).filter((c) => c.id === conversationId)).toHaveLength(1);
  });

  it('moves the entry when the inbox order changes: resolving takes it out of open and into resolved', async () => {
    const phone = '15550300004';
    await post(phone, `wamid.LI${++sequence}`, time.now());
    const { conversationId } = await customerOf(phone);
    const moved = await indexWrites(() =>
      runtime.store.conversations.resolveConversation(
        conversationId,
        'agent-li',
        new Date(time.now()).toISOString(),
      ),
    );
    expect(moved).toEqual({
      [`gsi1pk=${inboxShardPartition('open', conversationId)}`]: 1,
      [`gsi1pk=${inboxShardPartition('resolved', conversationId)}`]: 1,
    });
    expect((await openInbox()).map((c) => c.id)).not.toContain(conversationId);
  });
});
