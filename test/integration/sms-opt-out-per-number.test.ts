import { describe, expect, it } from 'vitest';
import type { ReplyChannel } from '#shared/domain/sms-numbers.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, agentRequest, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { SECRETS } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { TwilioStandIn } from '../support/twilio-stand-in.js';
import { twilioPoster, twilioTexter } from '../support/webhooks.js';

const TOKEN = agentToken('sms-opt-out-per-number');
const ADMIN = agentToken('sms-opt-out-per-number-admin');
const ACCOUNT = 'AC00000000000000000000000000000901';
const BRAND_A = '+15017120001';
const BRAND_B = '+15017120002';

/**
 * QA's two brands, a Twilio number each: Twilio keeps a STOP per number of ours (the one texted), so
 * a STOP to brand A's number stops A's texts only, and a START to brand B's lifts nothing of A's.
 */
describe('local runtime: SMS opt-outs per number of ours', () => {
  const sms = new TwilioStandIn();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-ana:${TOKEN},dpo-admin:${ADMIN}:admin` },
    senders: { sms, voice: sms },
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const request = agentRequest(() => runtime.url, TOKEN);
  const { find } = customerReads(api);
  const post = twilioPoster(SECRETS.twilio, () => runtime.idle());
  const toA = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: BRAND_A });
  const toB = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: BRAND_B });
  const smsOption = async (customer: Customer) => {
    const channels = await api<ReplyChannel[]>('GET', `/api/customers/${customer.id}/channels`);
    return channels.find((option) => option.channel === 'sms');
  };
  const reply = (customer: Customer, text: string) =>
    request<{ reply?: TimelineItem; error?: { code: string; message: string } }>(
      'POST',
      `/api/conversations/${customer.openConversationId}/replies`,
      { text },
    );
  /** SMS offered, and a reply to the customer goes out from brand B's number. */
  const answeredFromB = async (customer: Customer, text: string) => {
    expect(await smsOption(customer)).toMatchObject({ available: true });
    expect((await reply(customer, text)).status).toBe(202);
    await runtime.idle();
    expect(sms.sent.at(-1)).toMatchObject({ text, from: BRAND_B });
  };
  let sid = 0;
  const next = () => `SMqn${String(++sid).padStart(30, '0')}`;

  it('answers from brand B a customer who texted STOP to brand A, and refuses 409 from A naming it', async () => {
    const phone = '+14155550777';
    await toA(phone, next(), 'Hi brand A');
    await toA(phone, next(), 'STOP');
    await toB(phone, next(), 'can you call me back tomorrow?');
    const customer = await find(phone);
    await answeredFromB(customer, 'We will call you at ten.');

    // They write to A again: the reply would go from A, which they opted out of.
    await toA(phone, next(), 'and about my brand A order?');
    const option = await smsOption(customer);
    expect(option).toMatchObject({ available: false, reason: 'sms_opted_out' });
    expect(option?.detail).toContain(BRAND_A);
    const before = sms.sent.length;
    const refused = await reply(customer, 'It ships today.');
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'sms_opted_out' });
    expect(refused.json.error?.message).toContain(`START to ${BRAND_A}`);
    await runtime.idle();
    expect(sms.sent.length).toBe(before);
  });

  it('names which of our numbers the customer may be texted from and which they opted out of', async () => {
    const phone = '+14155550782';
    await toA(phone, next(), 'STOP');
    await toB(phone, next(), 'Hello brand B');
    const customer = await find(phone);
    const option = await smsOption(customer);
    expect(option).toMatchObject({ available: true });
    // The number a reply goes from first, then the others the contact states name.
    expect(option?.numbers).toEqual([
      { number: BRAND_B, available: true },
      { number: BRAND_A, available: false, detail: 'opted out (STOP)', at: expect.any(String) },
    ]);
    expect(option?.otherNumbers).toEqual({ available: true });
    const whatsapp = await api<ReplyChannel[]>('GET', `/api/customers/${customer.id}/channels`);
    expect(whatsapp.filter((o) => o.channel !== 'sms').every((o) => o.numbers === undefined)).toBe(true);
  });

  it("never lifts brand A's STOP by a START to brand B", async () => {
    const phone = '+14155550778';
    await toA(phone, next(), 'STOP');
    await toB(phone, next(), 'START');
    await toA(phone, next(), 'a question for brand A');
    const customer = await find(phone);
    expect(await smsOption(customer)).toMatchObject({ available: false, reason: 'sms_opted_out' });
    // A START to A itself lifts it.
    await toA(phone, next(), 'START');
    expect(await smsOption(customer)).toMatchObject({ available: true });
  });

  it('keeps a STOP stored before opt-outs were per number blocking every number, until a START to the one we write from', async () => {
    const phone = '+14155550779';
    await toB(phone, next(), 'Hello brand B');
    // As the version before kept it: the address's own state, no number of ours named.
    await runtime.store.customers.setContactState(
      { kind: 'phone', value: phone },
      {
        blocked: true,
        reason: 'opted out (STOP)',
        at: new Date().toISOString(),
        envelopeId: 'twilio:msg:SMold',
      },
    );
    const customer = await find(phone);
    expect(await smsOption(customer)).toMatchObject({ available: false, reason: 'sms_opted_out' });
    // Recorded for none of our numbers: every number not listed is blocked too.
    expect((await smsOption(customer))?.otherNumbers).toMatchObject({ available: false });
    await toB(phone, next(), 'START');
    expect(await smsOption(customer)).toMatchObject({ available: true });
    // A is not lifted by B's START: the old STOP may have been sent to A.
    await toA(phone, next(), 'and brand A?');
    expect(await smsOption(customer)).toMatchObject({ available: false, reason: 'sms_opted_out' });
  });

  it("answers B's question from B after a STOP to A came in (the keyword moves no reply's number)", async () => {
    const phone = '+14155550781';
    await toB(phone, next(), 'question for B');
    await toA(phone, next(), 'STOP');
    await answeredFromB(await find(phone), 'Answer from B.');
  });

  it("records Twilio's 21610 toward the number the refused text went from", async () => {
    const phone = '+14155550780';
    await toB(phone, next(), 'Is my order on its way?');
    const customer = await find(phone);
    sms.unsubscribed.add(phone);
    expect((await reply(customer, 'It ships today.')).status).toBe(202);
    await runtime.idle();
    sms.unsubscribed.delete(phone);
    expect(await smsOption(customer)).toMatchObject({ available: false, reason: 'sms_opted_out' });
    await toA(phone, next(), 'Brand A here?');
    expect(await smsOption(customer)).toMatchObject({ available: true });
  });

  /**
   * QA (repro-5): an erasure deleted the person's STOP with them, so the same number writing again was
   * a new customer texted from the number they had opted out of. The block outlives the erasure as a
   * bare suppression record: the address, our number, the reason and its time, nothing else.
   */
  it('keeps a STOP to brand A through an erasure: the new customer from that number is refused from A until START', async () => {
    const phone = '+14155550791';
    await toA(phone, next(), 'Hi brand A, my name is Erin');
    await toA(phone, next(), 'STOP');
    // A START to brand B blocks nothing: it goes with the customer.
    await toB(phone, next(), 'START');
    const erased = await find(phone);
    const erase = await agentRequest(() => runtime.url, ADMIN)('DELETE', `/api/customers/${erased.id}`);
    expect(erase.status).toBe(200);

    // What is kept: the block toward A alone, with no customer, name, text or message id.
    const client = inspectionClient(runtime.dynamoEndpoint);
    const table = await scanTable(client, 'threadline');
    client.destroy();
    expect(table.filter((item) => String(item.pk).startsWith(`CONTACT#phone#${phone}`))).toEqual([
      {
        pk: `CONTACT#phone#${phone}`,
        sk: `CONTACT#${BRAND_A}`,
        entity: 'contact_state',
        kind: 'phone',
        value: phone,
        blocked: true,
        reason: 'opted out (STOP)',
        at: expect.any(String),
        number: BRAND_A,
        envelopeId: 'erased',
        erasedAt: expect.any(String),
      },
    ]);

    // The number writes to A again: a new customer, still opted out of A, and a reply is refused.
    await toA(phone, next(), 'Hello again');
    const customer = await find(phone);
    expect(customer.id).not.toBe(erased.id);
    expect(await smsOption(customer)).toMatchObject({ available: false, reason: 'sms_opted_out' });
    const before = sms.sent.length;
    const refused = await reply(customer, 'Welcome back!');
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'sms_opted_out' });
    await runtime.idle();
    expect(sms.sent.length).toBe(before);

    // A START to A lifts it, as for any customer.
    await toA(phone, next(), 'START');
    expect(await smsOption(customer)).toMatchObject({ available: true });
  });

  /**
   * QA (repro-1): the export left out what erasure deletes: the number's opt-out states, and the audit
   * records naming the customer. Both are sections of the export now.
   */
  it('exports the opt-out states toward each number of ours and the audit records naming the customer', async () => {
    const phone = '+14155550792';
    await toA(phone, next(), 'Hi brand A');
    await toA(phone, next(), 'STOP');
    const customer = await find(phone);
    const admin = agentRequest(() => runtime.url, ADMIN);
    type Export = { contactStates: unknown[]; auditRecords: unknown[]; webchatSessions: unknown[] };
    expect((await admin<Export>('GET', `/api/customers/${customer.id}/export`)).status).toBe(200);
    const second = (await admin<Export>('GET', `/api/customers/${customer.id}/export`)).json;
    expect(second.contactStates).toEqual([
      expect.objectContaining({
        kind: 'phone',
        value: phone,
        number: BRAND_A,
        blocked: true,
        reason: 'opted out (STOP)',
      }),
    ]);
    // The first export's record (the second's is written once it is answered).
    expect(second.auditRecords).toEqual([
      expect.objectContaining({ action: 'export', customerIds: [customer.id], agentId: 'dpo-admin' }),
    ]);
    expect(second.webchatSessions).toEqual([]);
  });
});
