import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordInto } from '../support/call-recorder.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, signedTwilio, twilioSms, whatsappBody } from '../support/webhooks.js';

const ADMIN = agentToken('phone-forms-admin');

/** 360dialog's copy of a Cloud API message value from an old-format Brazilian number (12 digits, no 9). */
const BRAZIL_WITHOUT_9 = JSON.parse(
  readFileSync(
    new URL('../fixtures/whatsapp/peer-text_wa_id_brazil_without_9.json', import.meta.url),
    'utf8',
  ),
) as { contacts: Array<{ wa_id: string }>; messages: Array<{ from: string; id: string; timestamp: string }> };

/** The same source's message value from an Argentine mobile: WhatsApp's id carries the 9 after 54. */
const ARGENTINA_WITH_9 = JSON.parse(
  readFileSync(
    new URL('../fixtures/whatsapp/peer-text_wa_id_argentina_with_9.json', import.meta.url),
    'utf8',
  ),
) as { contacts: Array<{ wa_id: string }> };

/** The fixture's value in a Cloud API body, from `waId`, with its own message id and time. */
function cloudBody(waId: string, id: string, at: number): unknown {
  const value = structuredClone(BRAZIL_WITHOUT_9);
  for (const contact of value.contacts) contact.wa_id = waId;
  for (const message of value.messages) {
    message.from = waId;
    message.id = id;
    message.timestamp = String(Math.floor(at / 1000));
  }
  return whatsappBody({ messaging_product: 'whatsapp', ...value });
}

/**
 * One person, two spellings of one number: WhatsApp's id of a Brazilian mobile registered before the
 * ninth digit (`554188887777`) and the number they text from (`+5541988887777`); a Mexican mobile's
 * WhatsApp id with the old `1` (`5215512345678`) and its number (`+525512345678`); an Argentine mobile's
 * WhatsApp id with its 9 (`5491123456789`) and the number it texts from (`+541123456789`). Each is one
 * customer, WhatsApp replies go to WhatsApp's own id, and customers stored under the other form are still found.
 */
describe('local runtime: the two forms of a Brazilian, Mexican or Argentine mobile number are one customer', () => {
  const time = new ManualTimers(Date.parse('2026-12-04T12:00:00.000Z'));
  const calls: RecordedCall[] = [];
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-ada:${ADMIN}:admin` },
    manualTime: time,
    dynamoClient: recordInto(calls),
  });
  let sequence = 0;

  const whatsapp = async (waId: string) => {
    time.advance(60_000);
    const body = cloudBody(waId, `wamid.PF${++sequence}`, time.now());
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
  };
  const sms = async (from: string) => {
    time.advance(60_000);
    const params = twilioSms({ sid: `SMpf${String(++sequence).padStart(28, '0')}`, from, text: 'by text' });
    const url = `${runtime.url}/webhooks/twilio/sms`;
    expect((await deliver(signedTwilio(url, params, SECRETS.twilio))).status).toBe(200);
    await runtime.idle();
  };
  const holder = (value: string) =>
    runtime.store.customers.findCustomerId({ kind: 'phone', value }, { consistent: true });
  const identityReads = () =>
    calls.filter((c) => c.command === 'GetItem' && c.pk.startsWith('IDENTITY#')).length;
  const reply = async (customerId: string, channel: 'whatsapp' | 'sms') => {
    const customer = await runtime.store.customers.getCustomer(customerId);
    const res = await fetch(`${runtime.url}/api/conversations/${customer?.openConversationId}/replies`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: `on ${channel}`, channel }),
    });
    expect(res.status).toBe(202);
    await runtime.idle();
    return runtime.outbox.entries().at(-1)?.message.to.value;
  };

  it('files a WhatsApp id without the ninth digit and an SMS with it under one customer', async () => {
    await whatsapp('554188887777');
    const customerId = await holder('+5541988887777');
    expect(customerId).toBeDefined();
    await sms('+5541988887777');
    expect(await holder('+5541988887777')).toBe(customerId);
    const customer = await runtime.store.customers.getCustomer(customerId as string);
    expect(customer?.channels.sort()).toEqual(['sms', 'whatsapp']);
    expect(customer?.identities).toEqual([{ kind: 'phone', value: '+5541988887777' }]);
    // WhatsApp answers its own id; the SMS goes to the number as dialled.
    expect(await reply(customerId as string, 'whatsapp')).toBe('+554188887777');
    expect(await reply(customerId as string, 'sms')).toBe('+5541988887777');
  });

  it('files a Mexican WhatsApp id with its 1 and an SMS without it under one customer, in either order', async () => {
    await sms('+525512345678');
    const customerId = await holder('+525512345678');
    await whatsapp('5215512345678');
    expect(await holder('+525512345678')).toBe(customerId);
    expect((await runtime.store.customers.getCustomer(customerId as string))?.channels.sort()).toEqual([
      'sms',
      'whatsapp',
    ]);
    expect(await reply(customerId as string, 'whatsapp')).toBe('+5215512345678');
    expect(await reply(customerId as string, 'sms')).toBe('+525512345678');
  });

  it('files an Argentine WhatsApp id with its 9 and an SMS without it under one customer', async () => {
    // The Chatwoot fixture's sender: WhatsApp's id of the mobile (11) 15 2345-6789.
    const waId = ARGENTINA_WITH_9.contacts[0]?.wa_id as string;
    expect(waId).toBe('5491123456789');
    await whatsapp(waId);
    const customerId = await holder('+541123456789');
    expect(customerId).toBeDefined();
    await sms('+541123456789');
    expect(await holder('+541123456789')).toBe(customerId);
    const customer = await runtime.store.customers.getCustomer(customerId as string);
    expect(customer?.channels.sort()).toEqual(['sms', 'whatsapp']);
    expect(customer?.identities).toEqual([{ kind: 'phone', value: '+541123456789' }]);
    expect(await reply(customerId as string, 'whatsapp')).toBe('+5491123456789');
    expect(await reply(customerId as string, 'sms')).toBe('+541123456789');
  });

  it('finds an Argentine customer an earlier version keyed under the WhatsApp id, once', async () => {
    const now = new Date(time.now()).toISOString();
    await runtime.store.customers.claimIdentity({ kind: 'phone', value: '+5493511234567' }, 'cu_old_ar', now);
    calls.length = 0;
    await sms('+543511234567');
    expect(identityReads()).toBe(2);
    expect(await holder('+543511234567')).toBe('cu_old_ar');
    calls.length = 0;
    await whatsapp('5493511234567');
    expect(identityReads()).toBe(1);
    expect(await holder('+543511234567')).toBe('cu_old_ar');
  });

  it('finds a customer stored under the other form before, and keys them under the new one once', async () => {
    // As earlier versions stored a WhatsApp sender: the id as WhatsApp gave it.
    const now = new Date(time.now()).toISOString();
    await runtime.store.customers.claimIdentity({ kind: 'phone', value: '+551187654321' }, 'cu_old', now);
    calls.length = 0;
    await sms('+5511987654321');
    // The new key missed, the earlier one held the customer (2 reads), and the new key is claimed.
    expect(identityReads()).toBe(2);
    expect(await holder('+5511987654321')).toBe('cu_old');
    calls.length = 0;
    await whatsapp('551187654321');
    // Found under the new key now: one read, as for any number.
    expect(identityReads()).toBe(1);
    expect(await holder('+5511987654321')).toBe('cu_old');
  });

  it('costs a new Brazilian mobile one read more (its earlier form), and any other number nothing more', async () => {
    calls.length = 0;
    await sms('+5521987650000');
    expect(identityReads()).toBe(2);
    calls.length = 0;
    await sms('+14155550199');
    expect(identityReads()).toBe(1);
    // A landline has no other form.
    calls.length = 0;
    await sms('+552133334444');
    expect(identityReads()).toBe(1);
  });
});
