import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { agentToken } from '../support/agent-token.js';
import { idleAfterLaterLooks, SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, signedMeta } from '../support/webhooks.js';

const setsAsArrays = (_key: string, value: unknown) => (value instanceof Set ? [...value] : value);

const AGENT = agentToken('deletion-agent-token');
const ADMIN = agentToken('deletion-admin-token');

const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));

type WhatsAppBody = {
  entry: [{ changes: [{ value: { messages: Record<string, unknown>[]; contacts: { wa_id: string }[] } }] }];
};
type InstagramBody = {
  entry: [{ messaging: [{ sender: { id: string }; message: Record<string, unknown>; timestamp: unknown }] }];
};

/**
 * Now, in seconds: the fixtures' messages are sent a minute ago and revoked half a minute ago (the
 * fixtures were caught a week apart, more than a deletion looks back), unless a case asks for theirs.
 */
const NOW_S = Math.floor(Date.now() / 1000);

/** The WhatsApp fixture from another number (each case its own customer and ids), its message changed. */
function whatsapp(
  path: string,
  phone: string,
  change: (m: Record<string, unknown>) => Record<string, unknown> = (m) => m,
  recent = true,
) {
  const body = fixture(path) as unknown as WhatsAppBody;
  const value = body.entry[0].changes[0].value;
  value.contacts = value.contacts.map((c) => ({ ...c, wa_id: phone }));
  // Provider ids are unique: each case's message (and its revoke) names its own.
  const own = (id: unknown) => `${String(id)}.${phone}`;
  value.messages = value.messages.map((m) => {
    const revoke = m.revoke as { original_message_id: string } | undefined;
    const timestamp = recent ? String(revoke ? NOW_S - 30 : NOW_S - 60) : m.timestamp;
    const mine = { ...m, from: phone, id: own(m.id), timestamp };
    return change(
      revoke ? { ...mine, revoke: { original_message_id: own(revoke.original_message_id) } } : mine,
    );
  });
  return body;
}

/** The Instagram unsend fixture from another sender, or (`text`) the message it deletes. */
function instagram(sender: string, text?: string) {
  const body = fixture('meta/peer-instagram_unsend_deleted.json') as unknown as InstagramBody;
  const event = body.entry[0].messaging[0];
  event.sender.id = sender;
  const mid = `message-id-to-delete.${sender}`;
  event.message = text === undefined ? { ...event.message, mid } : { mid, text };
  // Sent a minute ago, unsent half a minute ago (in milliseconds, as Meta times `messaging[]`).
  event.timestamp = (NOW_S - (text === undefined ? 30 : 60)) * 1000;
  return body;
}

const WA_TEXT = 'Does it come in another color?';
const IG_TEXT = 'My card number is 4111 1111 1111 1111';

/**
 * A customer's deletion (WhatsApp `revoke`, Instagram `is_deleted`) takes the message's words out of
 * the store, whichever comes first, however often either is delivered: the timeline API and the export
 * hold the item and its ids, never its words (the real fixtures, through the local runtime).
 */
describe('local runtime: a message its customer deleted keeps no words', () => {
  let runtime: LocalRuntime;
  const queueTime = new SteppedTimers();
  const get = (token: string, path: string) =>
    fetch(`${runtime.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const post = async (path: string, body: unknown) => {
    const answer = await deliver(signedMeta(runtime.url, path, body, SECRETS.meta));
    expect(answer.status).toBe(200);
    // A deletion that found no message looks again a minute later: the queue's time moves past it.
    await idleAfterLaterLooks(runtime, queueTime);
  };
  const customerId = async (kind: 'phone' | 'instagram', value: string) =>
    (await runtime.store.customers.findCustomerId({ kind, value }, { consistent: true })) as string;

  /** The timeline and the export as the API answers them, as text: where the words must not be. */
  async function stored(id: string) {
    const timeline = await (await get(AGENT, `/api/customers/${id}/timeline`)).text();
    const exported = await get(ADMIN, `/api/customers/${id}/export`);
    expect(exported.status).toBe(200);
    return {
      timeline: JSON.parse(timeline) as { items: Array<Record<string, unknown>> },
      text: `${timeline}${await exported.text()}`,
    };
  }

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-ana:${AGENT},admin-zoe:${ADMIN}:admin` },
      queue: { timers: queueTime },
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('WhatsApp: a revoke after the message redacts it, and a redelivery of either keeps it so', async () => {
    await post('/webhooks/whatsapp', whatsapp('whatsapp/text.json', '16505550701'));
    const id = await customerId('phone', '+16505550701');
    expect((await stored(id)).text).toContain(WA_TEXT);
    await post('/webhooks/whatsapp', whatsapp('whatsapp/revoke.json', '16505550701'));
    await post('/webhooks/whatsapp', whatsapp('whatsapp/revoke.json', '16505550701'));
    await post('/webhooks/whatsapp', whatsapp('whatsapp/text.json', '16505550701'));
    const after = await stored(id);
    expect(after.text).not.toContain(WA_TEXT);
    const messages = after.timeline.items.filter((item) => item.type === 'message');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      deleted: true,
      providerMessageId: expect.stringMatching(/^wamid\./),
    });
    expect(messages[0]?.text).toBeUndefined();
  });

  it('WhatsApp: a revoke before its message has the message stored redacted', async () => {
    await post('/webhooks/whatsapp', whatsapp('whatsapp/revoke.json', '16505550702'));
    await post('/webhooks/whatsapp', whatsapp('whatsapp/text.json', '16505550702'));
    await post('/webhooks/whatsapp', whatsapp('whatsapp/revoke.json', '16505550702'));
    await post('/webhooks/whatsapp', whatsapp('whatsapp/text.json', '16505550702'));
    const after = await stored(await customerId('phone', '+16505550702'));
    expect(after.text).not.toContain(WA_TEXT);
    expect(after.timeline.items.filter((item) => item.type === 'message')).toEqual([
      expect.objectContaining({ deleted: true }),
    ]);
    // The revoke marked the number's identity: its message linked its reference and read the mark there.
    expect(runtime.deadLetter.messages()).toEqual([]);
  });

  it("another customer's revoke naming the message redacts nothing", async () => {
    await post(
      '/webhooks/whatsapp',
      whatsapp('whatsapp/text.json', '16505550703', (m) => ({ ...m, id: 'wamid.other-703' })),
    );
    await post(
      '/webhooks/whatsapp',
      whatsapp('whatsapp/revoke.json', '16505550704', (m) => ({
        ...m,
        revoke: { original_message_id: 'wamid.other-703' },
      })),
    );
    expect((await stored(await customerId('phone', '+16505550703'))).text).toContain(WA_TEXT);
  });

  it('WhatsApp: a revoke more than a week after its message (the fixtures as caught) does not find it', async () => {
    // WhatsApp lets a message be deleted for everyone for about two days: a deletion looks back a week.
    await post('/webhooks/whatsapp', whatsapp('whatsapp/text.json', '16505550705', undefined, false));
    await post('/webhooks/whatsapp', whatsapp('whatsapp/revoke.json', '16505550705', undefined, false));
    expect((await stored(await customerId('phone', '+16505550705'))).text).toContain(WA_TEXT);
  });

  it('an erasure takes the mark a revoke left for a message that never came: nothing names the customer', async () => {
    const phone = '16505550706';
    await post('/webhooks/whatsapp', whatsapp('whatsapp/text.json', phone));
    const never = `wamid.never-came.${phone}`;
    await post(
      '/webhooks/whatsapp',
      whatsapp('whatsapp/revoke.json', phone, (m) => ({ ...m, revoke: { original_message_id: never } })),
    );
    const id = await customerId('phone', `+${phone}`);
    const naming = async () => {
      const client = inspectionClient(runtime.dynamoEndpoint);
      const items = await scanTable(client, 'threadline');
      client.destroy();
      // The tombstone and the audit record name the erased customer: nothing else may.
      const kept = (item: Record<string, unknown>) =>
        String(item.pk).startsWith('AUDIT#') || (item.pk === `CUSTOMER#${id}` && item.sk === 'PROFILE');
      return items.filter((item) => !kept(item) && JSON.stringify(item, setsAsArrays).includes(id));
    };
    // The revoke came first: its mark names the customer, on a key only the message's id leads to.
    expect(await naming()).toContainEqual(
      expect.objectContaining({ pk: `MESSAGE#whatsapp#${never}`, deletedBy: id }),
    );
    expect(
      (
        await fetch(`${runtime.url}/api/customers/${id}`, {
          method: 'DELETE',
          headers: { Authorization: `Bearer ${ADMIN}` },
        })
      ).status,
    ).toBe(200);
    expect(await naming()).toEqual([]);
    // The message, if it still comes, is dropped as the erased person's: no new customer holds its words.
    await post(
      '/webhooks/whatsapp',
      whatsapp('whatsapp/text.json', phone, (m) => ({ ...m, id: never })),
    );
    const again = await customerId('phone', `+${phone}`);
    if (again) expect((await stored(again)).text).not.toContain(WA_TEXT);
  });

  it('Instagram: an unsend after the message redacts it; redelivered, it stays so', async () => {
    await post('/webhooks/meta', instagram('Sender-after', IG_TEXT));
    const id = await customerId('instagram', 'chatwoot-app-user-id-1:Sender-after');
    expect((await stored(id)).text).toContain('4111');
    await post('/webhooks/meta', instagram('Sender-after'));
    await post('/webhooks/meta', instagram('Sender-after'));
    await post('/webhooks/meta', instagram('Sender-after', IG_TEXT));
    const after = await stored(id);
    expect(after.text).not.toContain('4111');
    expect(after.timeline.items.filter((item) => item.type === 'message')).toEqual([
      expect.objectContaining({ deleted: true }),
    ]);
  });

  it('Instagram: an unsend before its message has the message stored redacted', async () => {
    await post('/webhooks/meta', instagram('Sender-before'));
    await post('/webhooks/meta', instagram('Sender-before', IG_TEXT));
    await post('/webhooks/meta', instagram('Sender-before'));
    const after = await stored(await customerId('instagram', 'chatwoot-app-user-id-1:Sender-before'));
    expect(after.text).not.toContain('4111');
    expect(after.timeline.items.filter((item) => item.type === 'message')).toEqual([
      expect.objectContaining({ deleted: true }),
    ]);
  });
});
