import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextConversationId } from '#shared/domain/conversation.js';
import { PROFILE_TIME_GRANULARITY_MS } from '#shared/domain/profile-touch.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { customerListPartition } from '#shared/store/customer-list.js';
import { Keys } from '#shared/store/keys.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { startFakeGraph } from '../support/fake-graph.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import {
  deliver,
  messengerMessage,
  signedMeta,
  signedTwilio,
  twilioSms,
  whatsappText,
} from '../support/webhooks.js';

const ADMIN = agentToken('resolver-writes-admin');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Write = RecordedCall;

/** The kind of item a write touched: its key's prefixes. */
const kindOf = (w: Write) => `${w.command} ${w.pk.replace(/#.*/, '')} ${w.sk.replace(/#.*/, '')}`;

/**
 * What the resolver writes for an inbound message, counted on the real API (dynalite) through the
 * local runtime with routing off: a new customer's first message, and a returning customer's next ones.
 */
describe('local runtime: the resolver writes a profile only when what it keeps changes', () => {
  const time = new ManualTimers(Date.parse('2026-03-02T09:00:00.000Z'));
  let runtime: LocalRuntime;
  let writes: Write[];
  let doc: DynamoDBDocumentClient;
  let sequence = 0;
  let graph: Awaited<ReturnType<typeof startFakeGraph>>;

  beforeAll(async () => {
    // Messenger customers' names from the fake Graph's profiles (the resolver's lookup).
    graph = await startFakeGraph();
    runtime = await startTestRuntime({
      env: {
        AGENT_TOKENS: `agent-ada:${ADMIN}:admin`,
        META_PAGE_ACCESS_TOKEN: 'EAAB-resolver-writes-page-token',
        META_GRAPH_URL: graph.origin,
      },
      manualTime: time,
      dynamoClient: (c) => {
        writes = recordCalls(c, [], { writesOnly: true });
        doc = DynamoDBDocumentClient.from(c);
        return c;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
    await graph?.close();
  });

  const whatsapp = async (phone: string, at: number, name = 'Dana Writes', id = `wamid.RW${++sequence}`) => {
    const body = whatsappText({
      from: phone,
      name,
      messages: [{ id, at: new Date(at).toISOString(), text: `hello ${id}` }],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
    return id;
  };
  const measured = async (send: () => Promise<unknown>): Promise<Write[]> => {
    await runtime.idle();
    writes.length = 0;
    await send();
    await runtime.idle();
    return writes.filter((w) => !w.pk.startsWith('LIVE#'));
  };
  const customerOf = async (phone: string) => {
    const id = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${phone}` },
      { consistent: true },
    );
    const customer = id ? await runtime.store.customers.getCustomer(id) : undefined;
    if (!customer) throw new Error(`no customer for +${phone}`);
    return customer;
  };
  const profileItem = async (customerId: string) =>
    (
      await doc.send(
        new GetCommand({ TableName: 'threadline', Key: Keys.customer(customerId), ConsistentRead: true }),
      )
    ).Item;
  const reply = (conversationId: string) =>
    fetch(`${runtime.url}/api/conversations/${conversationId}/replies`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Thanks, looking into it.', channel: 'whatsapp' }),
    });

  it("writes a new customer's first message in 5 units: claim, item (by its key), conversation, the surname's search entry, named profile (listed by its first write)", async () => {
    const first = await measured(() => whatsapp('15550100001', time.now()));
    expect(first.map(kindOf)).toEqual([
      'PutItem IDENTITY IDENTITY',
      'PutItem CUSTOMER TIMELINE',
      'UpdateItem CONVERSATION CONVERSATION',
      // `Dana Writes`: found by `writes` too (one entry a word after the first, at most 4).
      'PutItem CUSTOMER NAMEWORD',
      'UpdateItem CUSTOMER PROFILE',
    ]);
    expect(first.reduce((sum, w) => sum + w.units, 0)).toBe(5);
    const customer = await customerOf('15550100001');
    // In the customer list (`GET /api/customers`), newest first: by keys the profile's first write set.
    expect(await profileItem(customer.id)).toMatchObject({
      gsi3pk: customerListPartition(customer.id),
      gsi3sk: expect.stringMatching(new RegExp(`#${customer.id}$`)),
    });
    const listed = await runtime.store.customers.listCustomers({ limit: 1 });
    expect(listed.items.map((c) => c.id)).toEqual([customer.id]);
    // The name came with the profile's first write and is in the name index.
    expect(customer.name).toBe('Dana Writes');
    for (const prefix of ['dana wri', 'writ']) {
      expect(
        (await runtime.store.customers.findCustomersByName(prefix, { limit: 5 })).items.map((c) => c.id),
      ).toContain(customer.id);
    }
    // Its first conversation has no membership item: its id follows from the customer's.
    expect(customer.openConversationId).toBe(nextConversationId(customer.id, undefined));
  });

  it("writes a new Messenger customer's first message as WhatsApp's, its looked-up name in the profile's first write", async () => {
    const messenger = async (psid: string, at: number) => {
      const mid = `m_rw${++sequence}`;
      const body = messengerMessage({ page: '1000003', psid, ms: at, message: { mid, text: 'hello' } });
      const res = await deliver(signedMeta(runtime.url, '/webhooks/meta', body, SECRETS.meta));
      expect(res.status).toBe(200);
    };
    const profileOf = async (psid: string) => {
      const identity = { kind: 'messenger' as const, value: `1000003:${psid}` };
      const id = await runtime.store.customers.findCustomerId(identity, { consistent: true });
      return profileItem(String(id));
    };
    graph.profiles.set('7300000000000001', { first_name: 'Mara', last_name: 'Lookup' });
    const named = await measured(() => messenger('7300000000000001', time.now()));
    expect(named.map(kindOf)).toEqual([
      'PutItem IDENTITY IDENTITY',
      'PutItem CUSTOMER TIMELINE',
      'UpdateItem CONVERSATION CONVERSATION',
      'PutItem CUSTOMER NAMEWORD',
      'UpdateItem CUSTOMER PROFILE',
    ]);
    expect(named.reduce((sum, w) => sum + w.units, 0)).toBe(5);
    expect(await profileOf('7300000000000001')).toMatchObject({ name: 'Mara Lookup' });
    // Graph knows nothing of this one (error 100): no name, no word entry; the lookup is remembered
    // by the same profile write, and the next message (within the granularity) writes no profile.
    const nameless = await measured(() => messenger('7300000000000002', time.now()));
    expect(nameless.map(kindOf)).toEqual([
      'PutItem IDENTITY IDENTITY',
      'PutItem CUSTOMER TIMELINE',
      'UpdateItem CONVERSATION CONVERSATION',
      'UpdateItem CUSTOMER PROFILE',
    ]);
    expect(await profileOf('7300000000000002')).toMatchObject({ nameLookupAt: expect.any(String) });
    const next = await measured(() => messenger('7300000000000002', time.now() + MINUTE));
    expect(next.map(kindOf)).not.toContain('UpdateItem CUSTOMER PROFILE');
    expect(graph.seen.filter((s) => s.path.includes('/7300000000000002?'))).toHaveLength(1);
  });

  it("writes a returning customer's next message on the same channel in 2 units, no reference, no profile", async () => {
    const phone = '15550100002';
    const t0 = time.now();
    await whatsapp(phone, t0);
    const customer = await customerOf(phone);
    const before = await profileItem(customer.id);
    const next = await measured(() => whatsapp(phone, t0 + 2 * MINUTE));
    // WhatsApp times the message: its key is the same in every delivery, so its put alone dedups it. No
    // reference: a customer's deletion (`revoke`) finds the message on their timeline (README: Privacy).
    expect(next.map(kindOf)).toEqual(['PutItem CUSTOMER TIMELINE', 'UpdateItem CONVERSATION CONVERSATION']);
    expect(next.reduce((sum, w) => sum + w.units, 0)).toBe(2);
    expect(await profileItem(customer.id)).toEqual(before);
    // Past the granularity the profile moves again; so does a switch of channel.
    const later = await measured(() => whatsapp(phone, t0 + PROFILE_TIME_GRANULARITY_MS + 3 * MINUTE));
    expect(later.map(kindOf)).toContain('UpdateItem CUSTOMER PROFILE');
    expect((await profileItem(customer.id))?.lastInbound_whatsapp).toBe(
      new Date(t0 + PROFILE_TIME_GRANULARITY_MS + 3 * MINUTE).toISOString(),
    );
    // Twilio stamps an SMS with the time it arrives.
    time.advance(PROFILE_TIME_GRANULARITY_MS + 5 * MINUTE);
    const sms = twilioSms({
      sid: 'SMrw0000000000000000000000000001',
      from: `+${phone}`,
      text: 'by text now',
    });
    const switched = await measured(() =>
      deliver(signedTwilio(`${runtime.url}/webhooks/twilio/sms`, sms, SECRETS.twilio)),
    );
    expect(switched.map(kindOf)).toContain('UpdateItem CUSTOMER PROFILE');
    // Twilio's time is ours, different in a redelivery: the reference keeps the first one's key.
    expect(switched.map(kindOf)).toContain('UpdateItem MESSAGE MESSAGE');
    expect((await customerOf(phone)).lastInboundChannel).toBe('sms');
  });

  it('redelivers a first message without a second customer, item or profile write', async () => {
    const phone = '15550100003';
    const id = await whatsapp(phone, time.now());
    const customer = await customerOf(phone);
    const again = await measured(() => whatsapp(phone, time.now(), 'Dana Writes', id));
    expect(again.map(kindOf)).not.toContain('UpdateItem CUSTOMER PROFILE');
    expect(again.map(kindOf)).not.toContain('PutItem IDENTITY IDENTITY');
    const page = await runtime.store.timeline.timeline(customer.id, { limit: 50 });
    expect(page.items.filter((i) => i.providerMessageId === id)).toHaveLength(1);
  });

  it('gives two concurrent first messages of one new customer one customer, one conversation and the earliest name', async () => {
    const phone = '15550100004';
    const t0 = time.now();
    const ids = await Promise.all([
      whatsapp(phone, t0 + 1000, 'Later Name'),
      whatsapp(phone, t0, 'Earlier Name'),
    ]);
    await runtime.idle();
    const customer = await customerOf(phone);
    expect(customer.name).toBe('Earlier Name');
    const page = await runtime.store.timeline.timeline(customer.id, { limit: 50 });
    const messages = page.items.filter((i) => i.type === 'message');
    expect(messages.map((i) => i.providerMessageId).sort()).toEqual([...ids].sort());
    expect(new Set(messages.map((i) => i.conversationId))).toEqual(new Set([customer.openConversationId]));
    // Export finds the conversation without a membership item.
    const res = await fetch(`${runtime.url}/api/customers/${customer.id}/export`, {
      headers: { Authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(200);
    const exported = (await res.json()) as { conversations: Array<{ id: string }> };
    expect(exported.conversations.map((c) => c.id)).toEqual([customer.openConversationId]);
  });

  it('keeps the 24-hour window safely conservative: it may close up to the granularity early, never late', async () => {
    const phone = '15550100005';
    const t0 = time.now();
    await whatsapp(phone, t0);
    const last = t0 + 10 * MINUTE;
    const skipped = await measured(() => whatsapp(phone, last));
    expect(skipped.map(kindOf)).not.toContain('UpdateItem CUSTOMER PROFILE');
    const { openConversationId } = await customerOf(phone);
    if (!openConversationId) throw new Error('no open conversation');
    const at = (target: number) => time.advance(target - time.now());
    at(t0 + DAY - MINUTE);
    expect((await reply(openConversationId)).status).toBe(202);
    // The real window (from the message 10 minutes later) is open; the kept one is not: refused.
    at(t0 + DAY + 5 * MINUTE);
    const refused = await reply(openConversationId);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('whatsapp_window_closed');
    // Never late: past the real window it is refused as before.
    at(last + DAY + 1000);
    expect((await reply(openConversationId)).status).toBe(422);
  });
});
