import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { idleAfterLaterLooks, SECRETS, startTestRuntime } from '../support/runtime.js';
import { runtimeMeter } from '../support/test-runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, messengerMessage, signedMeta, waitUntil, whatsappBody } from '../support/webhooks.js';

const ADMIN = agentToken('edit-events-admin-token');
const PAGE = '682498302938465';
const NOW_S = Math.floor(Date.now() / 1000);

/** One WhatsApp message event from `phone`, `ago` seconds ago. */
const whatsapp = (phone: string, ago: number, message: Record<string, unknown>) =>
  whatsappBody({
    contacts: [{ profile: { name: `Kim ${phone}` }, wa_id: phone }],
    messages: [{ from: phone, timestamp: String(NOW_S - ago), ...message }],
  });
const text = (phone: string, id: string, ago: number, body: string) =>
  whatsapp(phone, ago, { id, type: 'text', text: { body } });
const edit = (phone: string, id: string, ago: number, target: string, body: string) =>
  whatsapp(phone, ago, {
    id,
    type: 'edit',
    edit: { original_message_id: target, message: { type: 'text', text: { body } } },
  });
/** A Messenger message, or a `message_edit` of one (`edits`: the mid it edits), from `psid`. */
const messenger = (psid: string, ms: number, message: Record<string, unknown>, edits?: string) => {
  const body = messengerMessage({ page: PAGE, psid, ms, message }) as {
    entry: Array<{ messaging: Array<Record<string, unknown>> }>;
  };
  const event = body.entry[0]?.messaging[0];
  if (event && edits) {
    delete event.message;
    event.message_edit = { mid: edits, text: message.text, num_edit: 1 };
  }
  return body;
};

type Event = { type: string; data: Record<string, unknown> };

/**
 * A customer's edit reaches integrators (`message.edited`) only for a message of theirs, and never
 * before the message itself: an edit naming another customer's message changes and publishes nothing,
 * and an edit that came before its message is carried by that message when it comes (its stored text,
 * `message.received`, routing). Before, the first was published as an edit of the other customer's
 * message, and the second went out before its message, whose `message.received` held the old text.
 */
describe('local runtime: edits of messages not yet seen, or not the sender’s', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let verifier: Webhook;
  const queueTime = new SteppedTimers();
  /**
   * The runtime's own time (its periodic tasks, durable timers, webhook deliveries), standing still: on
   * the process clock the absent-agent sweep ran a minute after the start, two Queries (the agents' and
   * the removed agents' lists) counted in whichever step was measured then (5 Queries where the message
   * allows 3, on a loaded machine).
   */
  const runtimeTime = new ManualTimers(Date.now());
  const meter = runtimeMeter();

  beforeAll(async () => {
    receiver = await startReceiver();
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-ana:${ADMIN}:admin`, ROUTING_POLICY_FILE: alwaysOpenPolicyFile() },
      routing: true,
      events: true,
      queue: { timers: queueTime },
      timers: runtimeTime,
      webhookTimers: runtimeTime,
      dynamoClient: (client) => meter.dynamoClient(client),
    });
    const created = await agentRequest(() => runtime.url, ADMIN)<{ secret: string }>(
      'POST',
      '/api/webhooks',
      {
        url: receiver.url,
        events: ['message.received', 'message.edited'],
      },
    );
    expect(created.status).toBe(201);
    verifier = new Webhook(created.json.secret);
  });
  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const post = async (body: unknown, path = '/webhooks/whatsapp') => {
    expect((await deliver(signedMeta(runtime.url, path, body, SECRETS.meta))).status).toBe(200);
    await idleAfterLaterLooks(runtime, queueTime);
  };
  const events = (): Event[] =>
    receiver.received.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as Event);
  /** The events about one message (by its timeline id), in the order they were delivered. */
  const about = (messageId: string) => events().filter((e) => e.data.messageId === messageId);
  const timelineOf = async (identity: { kind: 'phone' | 'messenger'; value: string }) => {
    const id = await runtime.store.customers.findCustomerId(identity);
    return (await runtime.store.timeline.timeline(String(id), { limit: 50 })).items;
  };
  /** Lets the events function deliver what it has (its list of subscriptions read, each attempt made). */
  const settle = async (count: number) => {
    await waitUntil(() => receiver.received.length >= count, `${count} deliveries`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  };

  it('an edit of another customer’s WhatsApp message changes nothing and publishes nothing', async () => {
    const [alice, bob] = ['14155550101', '14155550102'];
    const before = receiver.received.length;
    await post(text(alice, 'wamid.A5', 90, 'My card number is 4111'));
    await settle(before + 1);
    await post(edit(bob, 'wamid.B5', 60, 'wamid.A5', 'Bob edit of A5'));
    await post(text(bob, 'wamid.B6', 30, 'hello from Bob'));
    await settle(before + 2);
    expect(about('whatsapp:wamid.A5').map((e) => e.type)).toEqual(['message.received']);
    expect(events().some((e) => e.type === 'message.edited')).toBe(false);
    const aliceItems = await timelineOf({ kind: 'phone', value: `+${alice}` });
    expect(aliceItems.find((i) => i.id === 'whatsapp:wamid.A5')?.text).toBe('My card number is 4111');
    expect(aliceItems.some((i) => i.event === 'edit')).toBe(false);
    // Bob's own message, after his edit, takes nothing of it.
    const bobItems = await timelineOf({ kind: 'phone', value: `+${bob}` });
    expect(bobItems.find((i) => i.id === 'whatsapp:wamid.B6')?.text).toBe('hello from Bob');
  });

  it('an edit of another customer’s Messenger message changes nothing and publishes nothing', async () => {
    const [alice, bob] = ['7100000000000001', '7100000000000002'];
    const ms = (NOW_S - 120) * 1000;
    const before = receiver.received.length;
    await post(messenger(alice, ms, { mid: 'm_alice_1', text: 'Alice asks' }), '/webhooks/meta');
    await settle(before + 1);
    await post(messenger(bob, ms + 5000, { text: 'Bob edit of Alice' }, 'm_alice_1'), '/webhooks/meta');
    await post(messenger(bob, ms + 9000, { mid: 'm_bob_1', text: 'Bob asks' }), '/webhooks/meta');
    await settle(before + 2);
    expect(about('messenger:m_alice_1').map((e) => e.type)).toEqual(['message.received']);
    expect(events().some((e) => e.type === 'message.edited')).toBe(false);
    const aliceItems = await timelineOf({ kind: 'messenger', value: `${PAGE}:${alice}` });
    expect(aliceItems.find((i) => i.id === 'messenger:m_alice_1')?.text).toBe('Alice asks');
  });

  it('the customer’s own Messenger edit is published after its message, as before', async () => {
    const psid = '7100000000000003';
    const ms = (NOW_S - 100) * 1000;
    const before = receiver.received.length;
    await post(messenger(psid, ms, { mid: 'm_own_1', text: 'Where is my order?' }), '/webhooks/meta');
    await post(messenger(psid, ms + 5000, { text: 'Where is my parcel?' }, 'm_own_1'), '/webhooks/meta');
    await settle(before + 2);
    expect(about('messenger:m_own_1').map((e) => [e.type, e.data.text])).toEqual([
      ['message.received', 'Where is my order?'],
      ['message.edited', 'Where is my parcel?'],
    ]);
  });

  const ASKED = 'I want to talk to a person: my address is 3 Oak St';
  const CORRECTED = 'I want to talk to a person: my address is 5 Oak St (corrected)';

  it.each([
    ['edit, message', '14155550188', ['edit', 'text']],
    ['edit, message, edit, message', '14155550189', ['edit', 'text', 'edit', 'text']],
    ['edit, edit, message', '14155550190', ['edit', 'edit', 'text']],
  ])(
    '%s: the message comes with the edited text, once, and no edit goes before it',
    async (_, phone, order) => {
      const original = `wamid.E1.${phone}`;
      const messageId = `whatsapp:${original}`;
      const sends = {
        text: text(phone, original, 65, ASKED),
        edit: edit(phone, `wamid.E2.${phone}`, 60, original, CORRECTED),
      };
      for (const send of order) await post(sends[send as keyof typeof sends]);
      await waitUntil(() => about(messageId).length > 0, 'message.received');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const told = about(messageId);
      expect(told.map((e) => e.type)).toEqual(['message.received']);
      expect(told[0]?.data).toMatchObject({
        text: CORRECTED,
        editedAt: new Date((NOW_S - 60) * 1000).toISOString(),
      });
      const items = await timelineOf({ kind: 'phone', value: `+${phone}` });
      expect(items.filter((i) => i.id === messageId)).toEqual([
        expect.objectContaining({ text: CORRECTED, editedAt: new Date((NOW_S - 60) * 1000).toISOString() }),
      ]);
      expect(items.filter((i) => i.event === 'edit')).toHaveLength(1);
      // Routing read the corrected text: the hand-off note quotes it, not the old one.
      const notes = items.filter((i) => i.type === 'note').map((i) => String(i.text));
      expect(notes.some((note) => note.includes('5 Oak St (corrected)'))).toBe(true);
      expect(notes.some((note) => note.includes('3 Oak St'))).toBe(false);
    },
  );

  it('message, edit, edit again: the message as it came, then one message.edited', async () => {
    const phone = '14155550192';
    const original = `wamid.E1.${phone}`;
    await post(text(phone, original, 65, ASKED));
    await post(edit(phone, `wamid.E2.${phone}`, 60, original, CORRECTED));
    await post(edit(phone, `wamid.E2.${phone}`, 60, original, CORRECTED));
    await waitUntil(() => about(`whatsapp:${original}`).length >= 2, 'message.edited');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(about(`whatsapp:${original}`).map((e) => [e.type, e.data.text, e.data.editedAt])).toEqual([
      ['message.received', ASKED, undefined],
      ['message.edited', CORRECTED, new Date((NOW_S - 60) * 1000).toISOString()],
    ]);
  });

  it('an edit of a message linked to another customer is not even placed on the sender’s timeline', async () => {
    const [alice, bob] = ['14155550103', '14155550104'];
    // Alice's deletion of a message that never comes marks her identity: her next message links its reference.
    await post(
      whatsapp(alice, 100, { id: 'wamid.AR', type: 'revoke', revoke: { original_message_id: 'wamid.AX' } }),
    );
    await post(text(alice, 'wamid.A7', 90, 'Alice writes'));
    await post(text(bob, 'wamid.B7', 80, 'Bob writes'));
    const before = receiver.received.length;
    await post(edit(bob, 'wamid.B8', 60, 'wamid.A7', 'Bob edit of A7'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received.length).toBe(before);
    const bobItems = await timelineOf({ kind: 'phone', value: `+${bob}` });
    expect(bobItems.some((i) => i.event === 'edit')).toBe(false);
    const aliceItems = await timelineOf({ kind: 'phone', value: `+${alice}` });
    expect(aliceItems.find((i) => i.id === 'whatsapp:wamid.A7')?.text).toBe('Alice writes');
  });

  it('an edit before its message, its message and the sender’s later messages cost a bounded few calls more', async () => {
    const phone = '14155550191';
    const original = `wamid.E1.${phone}`;
    meter.reset();
    await post(edit(phone, `wamid.E2.${phone}`, 60, original, CORRECTED));
    const held = meter.figures();
    meter.reset();
    await post(text(phone, original, 65, ASKED));
    const message = meter.figures();
    meter.reset();
    await post(text(phone, `wamid.E3.${phone}`, 20, 'and one more thing'));
    const later = meter.figures();
    // Measured before (everything the runtime did: resolver, routing, events; the edit published):
    // the edit 22 calls (1 Query), its message 44 (2 Queries), the later message 20 (1 Query).
    // The held edit: the new sender's mentions (a Query), its two looks for the message (Queries) and
    // the identity's mark, no delivery (21 calls); then its later look a minute after, a redelivery of it
    // (13 calls, 2 looks again). One more Query when this test runs alone: the events function's first
    // read of the subscriptions (kept after, the webhook time standing still).
    expect(held.byCommand.QueryCommand).toBeGreaterThanOrEqual(5);
    expect(held.byCommand.QueryCommand).toBeLessThanOrEqual(6);
    expect(held.calls).toBeLessThanOrEqual(35);
    // Its message: the customer's merges (a GetItem) and the look for the edit held for it (a Query);
    // routing's read of the timeline and of the agents (a Query each). Nothing of the runtime's own.
    expect(message.byCommand.QueryCommand).toBe(3);
    expect(message.calls).toBeLessThanOrEqual(47);
    // A message timed after the held edit looks for nothing.
    expect(later.byCommand.QueryCommand ?? 0).toBeLessThanOrEqual(1);
    expect(later.calls).toBeLessThanOrEqual(21);
  });
});
