import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { agentToken } from '../support/agent-token.js';
import { stillTimers } from '../support/manual-timers.js';
import { idleAfterLaterLooks, SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { runtimeMeter } from '../support/test-runtime.js';
import { deliver, signedMeta, whatsappBody } from '../support/webhooks.js';

const NOW_S = Math.floor(Date.now() / 1000);
/** What each customer (each case its own number) wrote, and edited it to: found by their number. */
const asked = (phone: string) => `My card number is 4111 1111 1111 1111 (${phone})`;
const edited = (phone: string) => `My card number is 5500 0000 0000 0004 (${phone})`;

/** One WhatsApp message from `phone`: its text, an edit of it (a new text) or its revoke, `ago` seconds ago. */
function whatsapp(phone: string, ago: number, message: Record<string, unknown>) {
  const contacts = [{ profile: { name: 'Kim' }, wa_id: phone }];
  const id = `wamid.${String(message.type)}.${phone}`;
  return whatsappBody({
    contacts,
    messages: [{ from: phone, id, timestamp: String(NOW_S - ago), ...message }],
  });
}
const ADMIN = agentToken('deletion-edits-admin-token');
const original = (phone: string) => `wamid.text.${phone}`;
const text = (phone: string) => whatsapp(phone, 90, { type: 'text', text: { body: asked(phone) } });
const edit = (phone: string) =>
  whatsapp(phone, 60, {
    type: 'edit',
    edit: { original_message_id: original(phone), message: { type: 'text', text: { body: edited(phone) } } },
  });
const revoke = (phone: string) =>
  whatsapp(phone, 30, { type: 'revoke', revoke: { original_message_id: original(phone) } });

/**
 * A customer's deletion takes the message's words out of the whole table, its edits' words too: the
 * edit events (each holding a text the message had, and its raw payload), and what routing wrote from
 * them. Before, an edit of a deleted message kept the words it was edited to. Every item of the local
 * table is read after the deletion, whichever order the three come in.
 */
describe('local runtime: a deleted message’s edits keep no words either', () => {
  let runtime: LocalRuntime;
  const queueTime = new SteppedTimers();
  const meter = runtimeMeter();
  const post = async (body: unknown) => {
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await idleAfterLaterLooks(runtime, queueTime);
  };
  /** The keys of the table's items that hold either text, as stored: every item read (a Scan). */
  const holding = async (phone: string) => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items
      .filter((item) => {
        const json = JSON.stringify(item, (_k, v: unknown) => (v instanceof Set ? [...v] : v));
        return json.includes(asked(phone)) || json.includes(edited(phone));
      })
      .map((item) => `${String(item.pk)} ${String(item.sk)}`);
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({
      queue: { timers: queueTime },
      timers: stillTimers(),
      dynamoClient: (client) => meter.dynamoClient(client),
      env: { AGENT_TOKENS: `admin-zoe:${ADMIN}:admin` },
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it.each([
    ['message, edit, revoke', '16505550801', [text, edit, revoke]],
    ['message, revoke, edit', '16505550802', [text, revoke, edit]],
    ['edit, message, revoke', '16505550803', [edit, text, revoke]],
    ['revoke, edit, message', '16505550804', [revoke, edit, text]],
  ])('%s: neither text is anywhere in the table', async (_, phone, order) => {
    for (const send of order) {
      // Until the deletion, what came of the message and the edit holds their words (the scan sees them).
      if (send === revoke && order[0] !== revoke) expect(await holding(phone)).not.toEqual([]);
      await post(send(phone));
    }
    expect(await holding(phone)).toEqual([]);
    const customerId = await runtime.store.customers.findCustomerId({ kind: 'phone', value: `+${phone}` });
    const { items } = await runtime.store.timeline.timeline(customerId as string, { limit: 50 });
    expect(items.filter((i) => i.event === 'edit')).toEqual([expect.objectContaining({ deleted: true })]);
    // A redelivery of each changes nothing.
    for (const send of order) await post(send(phone));
    expect(await holding(phone)).toEqual([]);
  });

  it('an erasure after such a deletion leaves nothing naming the customer: the mark on the reference goes too', async () => {
    const phone = '16505550805';
    for (const send of [text, edit, revoke]) await post(send(phone));
    const id = await runtime.store.customers.findCustomerId({ kind: 'phone', value: `+${phone}` });
    const erased = await fetch(`${runtime.url}/api/customers/${id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${ADMIN}` },
    });
    expect(erased.status).toBe(200);
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    // The tombstone and the audit record name the erased customer: nothing else may.
    const kept = (item: Record<string, unknown>) =>
      String(item.pk).startsWith('AUDIT#') || (item.pk === `CUSTOMER#${id}` && item.sk === 'PROFILE');
    expect(items.filter((item) => !kept(item) && JSON.stringify(item).includes(String(id)))).toEqual([]);
  });

  it('an edit pays its message’s reference and its look for the message; it is stored with its words when not deleted', async () => {
    const phone = '16505550806';
    await post(text(phone));
    meter.reset();
    await post(edit(phone));
    // Before deletions, 2 GetItems: the third is the message's reference, read strongly. The fourth (the
    // customer's merges, read strongly) and the Query are its look for the message written by its key
    // alone: only a message of the customer's is edited (`edit-events.test.ts`). The fifth GetItem and
    // the second UpdateItem: the message's words, and its conversation's preview, which came from it and
    // takes the edited words (conditional); the edit changes nothing else of the conversation.
    expect(meter.figures().byCommand).toEqual({
      GetItemCommand: 5,
      BatchGetItemCommand: 1,
      QueryCommand: 1,
      UpdateItemCommand: 2,
      PutItemCommand: 1,
    });
    expect(await holding(phone)).not.toEqual([]);
  });
});
