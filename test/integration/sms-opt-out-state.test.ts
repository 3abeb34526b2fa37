import { describe, expect, it } from 'vitest';
import type { ChannelOption } from '#shared/domain/replies.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, agentRequest, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { TwilioStandIn } from '../support/twilio-stand-in.js';
import { twilioPoster, twilioTexter } from '../support/webhooks.js';

const TOKEN = agentToken('sms-opt-out-token');
const ACCOUNT = 'AC00000000000000000000000000000900';
const BUSINESS = '+15005550006';

/**
 * QA's SMS sweep: what a customer's texts and Twilio's refusals leave in `GET /api/customers/{id}/channels`,
 * and a reply on a channel the customer cannot be reached on.
 */
describe('local runtime: an SMS customer reachable as /channels says', () => {
  const sms = new TwilioStandIn();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-ana:${TOKEN}` },
    senders: { sms, voice: sms, whatsapp: sms },
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const request = agentRequest(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const post = twilioPoster(SECRETS.twilio, () => runtime.idle());
  const twilio = (path: string, params: Record<string, string>) => post(`${runtime.url}${path}`, params);
  const text = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: BUSINESS });
  const smsOption = async (customer: Customer) => {
    const channels = await api<ChannelOption[]>('GET', `/api/customers/${customer.id}/channels`);
    return channels.find((option) => option.channel === 'sms');
  };
  const reply = (customer: Customer, body: Record<string, unknown>) =>
    request<{ reply?: TimelineItem; error?: { code: string; message: string } }>(
      'POST',
      `/api/conversations/${customer.openConversationId}/replies`,
      body,
    );

  it('keeps the last word when Twilio resends an old START after a STOP (the resend is timed at its arrival)', async () => {
    const phone = '+14155550926';
    await text(phone, 'SMqa00000000000000000000000000320', 'START');
    await text(phone, 'SMqa00000000000000000000000000321', 'STOP');
    await text(phone, 'SMqa00000000000000000000000000320', 'START');
    const customer = await find(phone);
    const keywords = (await timeline(customer.id)).filter((item) => item.type === 'message');
    expect(keywords.map((item) => item.text)).toEqual(['START', 'STOP']);
    expect(await smsOption(customer)).toMatchObject({ available: false, reason: 'sms_opted_out' });
  });

  it('keeps the last word when Twilio resends an old STOP after a START', async () => {
    const phone = '+14155550927';
    await text(phone, 'SMqa00000000000000000000000000311', 'STOP');
    await text(phone, 'SMqa00000000000000000000000000312', 'START');
    await text(phone, 'SMqa00000000000000000000000000311', 'STOP');
    expect(await smsOption(await find(phone))).toMatchObject({ available: true });
  });

  it('records a send Twilio refuses with 21610 as an opt-out, until the customer texts START', async () => {
    const phone = '+14155550928';
    await text(phone, 'SMqa00000000000000000000000000330', 'Is my order on its way?');
    const customer = await find(phone);
    expect(await smsOption(customer)).toMatchObject({ available: true });
    // They texted STOP, which Twilio took and we never saw (another app's number of the same account).
    sms.unsubscribed.add(phone);
    expect((await reply(customer, { text: 'It ships today.' })).status).toBe(202);
    await runtime.idle();
    expect(await smsOption(customer)).toMatchObject({ available: false, reason: 'sms_opted_out' });
    const refused = await reply(customer, { text: 'Are you there?' });
    expect(refused.status).toBe(409);
    expect(refused.json.error?.code).toBe('sms_opted_out');

    sms.unsubscribed.delete(phone);
    await text(phone, 'SMqa00000000000000000000000000331', 'START');
    expect(await smsOption(customer)).toMatchObject({ available: true });
  });

  it('records a failed status with 21610 as an opt-out, and its resend after a START changes nothing', async () => {
    const phone = '+14155550929';
    await text(phone, 'SMqa00000000000000000000000000340', 'Where is my refund?');
    const customer = await find(phone);
    expect((await reply(customer, { text: 'On its way.' })).status).toBe(202);
    await runtime.idle();
    const sent = sms.sent.at(-1);
    const sid = (await timeline(customer.id)).find(
      (item) => item.direction === 'outbound' && item.text === 'On its way.',
    )?.providerMessageId;
    expect(sent?.text).toBe('On its way.');
    expect(sid).toBeDefined();
    const failed = {
      AccountSid: ACCOUNT,
      MessageSid: sid ?? '',
      From: BUSINESS,
      To: phone,
      MessageStatus: 'failed',
      ErrorCode: '21610',
    };
    await twilio('/webhooks/twilio/status', failed);
    expect(await smsOption(customer)).toMatchObject({ available: false, reason: 'sms_opted_out' });
    await text(phone, 'SMqa00000000000000000000000000341', 'START');
    expect(await smsOption(customer)).toMatchObject({ available: true });
    // Twilio's retry of the callback, after the START: the START stays the last word.
    await twilio('/webhooks/twilio/status', failed);
    expect(await smsOption(customer)).toMatchObject({ available: true });
  });

  it('refuses 409 a reply by SMS to a customer who wrote on WhatsApp only, as /channels offers none', async () => {
    const phone = '+14155550930';
    await twilio('/webhooks/twilio/sms', {
      AccountSid: ACCOUNT,
      MessageSid: 'SMqa00000000000000000000000000350',
      From: `whatsapp:${phone}`,
      To: `whatsapp:${BUSINESS}`,
      WaId: phone.slice(1),
      Body: 'Hi, any news on my order?',
      NumMedia: '0',
    });
    const customer = await find(phone);
    expect(await smsOption(customer)).toBeUndefined();
    const before = sms.sent.length;
    const refused = await reply(customer, { text: 'Here is your update.', channel: 'sms' });
    expect(refused.status).toBe(409);
    expect(refused.json.error?.code).toBe('channel_not_available');
    expect(refused.json.error?.message).toContain('whatsapp');
    await runtime.idle();
    expect(sms.sent.length).toBe(before);
    // On the channel they wrote on, the reply goes.
    expect((await reply(customer, { text: 'Here is your update.', channel: 'whatsapp' })).status).toBe(202);
  });
});
