import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordInto } from '../support/call-recorder.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, signedTwilio, twilioSms, whatsappBody } from '../support/webhooks.js';

const ADMIN = agentToken('reply-address-admin');

/**
 * A customer with two numbers is answered on each channel at the number they last used on it: a
 * merge of an SMS customer and a WhatsApp one, two numbers texting, and a WhatsApp number change
 * (`user_changed_number`), after which the old number is no longer theirs (whoever writes from it next
 * is someone else). Real-shaped Cloud API and Twilio payloads, replies through the agent API, the
 * outbox's recipient checked.
 */
describe('local runtime: a reply goes to the number the customer last used on its channel', () => {
  const time = new ManualTimers(Date.parse('2026-12-05T12:00:00.000Z'));
  const calls: RecordedCall[] = [];
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-ada:${ADMIN}:admin` },
    manualTime: time,
    dynamoClient: recordInto(calls),
  });
  let sequence = 0;

  const seconds = () => String(Math.floor(time.now() / 1000));
  const meta = async (message: Record<string, unknown>, waId?: string) => {
    time.advance(60_000);
    const body = whatsappBody({
      ...(waId ? { contacts: [{ profile: { name: 'Mia' }, wa_id: waId }] } : {}),
      messages: [{ timestamp: seconds(), ...message }],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const whatsapp = (waId: string, id = `wamid.RA${++sequence}`) =>
    meta({ from: waId, id, type: 'text', text: { body: 'on WhatsApp' } }, waId);
  const numberChange = (from: string, to: string, id: string) =>
    meta({
      from,
      id,
      type: 'system',
      system: { type: 'user_changed_number', body: `User Mia changed from ${from} to ${to}`, wa_id: to },
    });
  const sms = async (from: string) => {
    time.advance(60_000);
    const params = twilioSms({ sid: `SMra${String(++sequence).padStart(28, '0')}`, from, text: 'by text' });
    const url = `${runtime.url}/webhooks/twilio/sms`;
    expect((await deliver(signedTwilio(url, params, SECRETS.twilio))).status).toBe(200);
    await runtime.idle();
  };
  /** The calls that name a key (the runtime's background queries name none), by command and kind. */
  const keyed = () => calls.filter((c) => c.pk).map((c) => `${c.command} ${c.pk.split('#')[0]}`);
  const holder = (value: string) =>
    runtime.store.customers.findCustomerId({ kind: 'phone', value }, { consistent: true });
  const holderOf = async (value: string) => {
    const id = await holder(value);
    expect(id, `a customer for ${value}`).toBeDefined();
    return id as string;
  };
  const api = (path: string, body: unknown) =>
    fetch(`${runtime.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const reply = async (customerId: string, channel?: 'whatsapp' | 'sms') => {
    const customer = await runtime.store.customers.getCustomer(customerId);
    const res = await api(`/api/conversations/${customer?.openConversationId}/replies`, {
      text: 'Your card ending 1111 was charged',
      ...(channel ? { channel } : {}),
    });
    expect(res.status).toBe(202);
    await runtime.idle();
    const sent = runtime.outbox.entries().at(-1)?.message;
    return `${sent?.channel} ${sent?.to.value}`;
  };

  it('answers a merged customer on WhatsApp at their WhatsApp number, by SMS at their SMS number', async () => {
    await sms('+13125550401');
    await whatsapp('13125550402');
    const kept = await holderOf('+13125550401');
    const merged = await holderOf('+13125550402');
    expect(merged).not.toBe(kept);
    expect((await api(`/api/customers/${kept}/merge`, { customerId: merged })).status).toBe(200);
    expect(await reply(kept, 'whatsapp')).toBe('whatsapp +13125550402');
    expect(await reply(kept, 'sms')).toBe('sms +13125550401');
    // The other way round: the merged-in customer is the one who texted.
    await sms('+13125550403');
    await whatsapp('13125550404');
    const waKept = await holderOf('+13125550404');
    const smsMerged = await holderOf('+13125550403');
    expect((await api(`/api/customers/${waKept}/merge`, { customerId: smsMerged })).status).toBe(200);
    expect(await reply(waKept, 'whatsapp')).toBe('whatsapp +13125550404');
    expect(await reply(waKept, 'sms')).toBe('sms +13125550403');
  });

  it('answers a customer who texts from two numbers at the one they texted from last', async () => {
    await sms('+13125550412');
    await sms('+13125550411');
    const first = await holderOf('+13125550412');
    const second = await holderOf('+13125550411');
    expect((await api(`/api/customers/${first}/merge`, { customerId: second })).status).toBe(200);
    expect(await reply(first, 'sms')).toBe('sms +13125550411');
    // They text from the first number again: answered there (its message lands on the kept profile).
    await sms('+13125550412');
    expect(await reply(first, 'sms')).toBe('sms +13125550412');
  });

  it('answers at the new number after a number change, and leaves the old one to whoever has it next', async () => {
    await whatsapp('14155550301', 'wamid.X1');
    const xavier = await holderOf('+14155550301');
    calls.length = 0;
    await numberChange('14155550301', '14155550302', 'wamid.XS');
    // Two identity reads more than before (the sender's, its holder's strongly before the release) and
    // two writes (the old number off the profile, its identity deleted); a number change's only. Filed
    // beside the conversation (the provider's news, no word of theirs), it touches no conversation.
    expect(keyed()).toEqual([
      'GetItem IDENTITY',
      'GetItem IDENTITY',
      'GetItem CUSTOMER',
      'UpdateItem MESSAGE',
      'PutItem CUSTOMER',
      'PutItem IDENTITY',
      'UpdateItem CUSTOMER',
      'GetItem IDENTITY',
      'UpdateItem CUSTOMER',
      'DeleteItem IDENTITY',
    ]);
    // Answered at the new number at once, before they write from it.
    expect(await reply(xavier)).toBe('whatsapp +14155550302');
    expect(await holder('+14155550302')).toBe(xavier);
    expect(await holder('+14155550301')).toBeUndefined();
    const profile = await runtime.store.customers.getCustomer(xavier);
    expect(profile?.identities).toEqual([{ kind: 'phone', value: '+14155550302' }]);

    calls.length = 0;
    await whatsapp('14155550302', 'wamid.X2');
    // Their message from the new number writes no profile: it is the number kept already.
    expect(keyed().filter((call) => call.endsWith('CUSTOMER') && !call.startsWith('Get'))).toEqual([
      'PutItem CUSTOMER',
    ]);
    expect(await holder('+14155550302')).toBe(xavier);
    expect(await reply(xavier)).toBe('whatsapp +14155550302');

    // A provider's retry of the change event: nothing new, nobody created for the old number.
    await numberChange('14155550301', '14155550302', 'wamid.XS');
    expect(await holder('+14155550301')).toBeUndefined();

    // Someone else got the old number: a customer of their own, answered there; Xavier still at his.
    await whatsapp('14155550301', 'wamid.Z1');
    const stranger = await holderOf('+14155550301');
    expect(stranger).not.toBe(xavier);
    expect(await reply(stranger)).toBe('whatsapp +14155550301');
    expect(await reply(xavier)).toBe('whatsapp +14155550302');
    const timeline = await runtime.store.timeline.timeline(xavier, { limit: 50 });
    expect(timeline.items.map((i) => i.providerMessageId).filter(Boolean)).not.toContain('wamid.Z1');
  });
});
