import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { SECRETS } from '../support/runtime.js';
import { TakingSender } from '../support/taking-sender.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { twilioPoster, twilioTexter } from '../support/webhooks.js';

const TOKEN = agentToken('multi-number-token');
const ACCOUNT = 'AC00000000000000000000000000000971';
const FIRST = '+15017120001';
const SHORT_CODE = '72345';
const WHATSAPP = '+15017120009';

/**
 * A business with several numbers: each inbound item names which of ours the customer wrote to or
 * called (`to`), each SMS reply our number it goes from (`from`, on its item and in the 202), a text
 * to one of our short codes is answered from it, and a WhatsApp reply goes back through the provider
 * the customer wrote on.
 */
describe('local runtime: several numbers of ours', () => {
  const sms = new TakingSender();
  const whatsapp = new TakingSender();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-multi:${TOKEN}`, ROUTING_POLICY_FILE: alwaysOpenPolicyFile() },
    routing: true,
    senders: { sms, voice: sms, whatsapp },
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const post = twilioPoster(SECRETS.twilio, () => runtime.idle());
  const toFirst = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: FIRST });
  const toShortCode = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: SHORT_CODE });
  const inbound = (items: TimelineItem[]) =>
    items.filter((i) => i.type === 'message' && i.direction === 'inbound').map((i) => [i.text, i.to?.value]);

  it('answers a text to our short code from the short code, and says so on the reply and its 202', async () => {
    const phone = '+14155550888';
    await toFirst(phone, 'SMqa00000000000000000000000000971', 'Hello there');
    await toShortCode(phone, 'SMqa00000000000000000000000000972', 'Is my order on its way?');
    const customer = await find(phone);
    expect(inbound(await timeline(customer.id))).toEqual(
      expect.arrayContaining([
        ['Hello there', FIRST],
        ['Is my order on its way?', SHORT_CODE],
      ]),
    );
    const answer = await api<{ reply: TimelineItem }>(
      'POST',
      `/api/conversations/${customer.openConversationId}/replies`,
      { text: 'It left this morning.' },
    );
    expect(answer.reply.from).toEqual({ kind: 'phone', value: SHORT_CODE });
    await runtime.idle();
    const sent = sms.sent.filter((m) => m.to.value === phone && m.author.kind === 'agent');
    expect(sent.map((m) => m.from)).toEqual([SHORT_CODE]);
    const item = (await timeline(customer.id)).find((i) => i.id === answer.reply.id);
    expect(item?.from).toEqual({ kind: 'phone', value: SHORT_CODE });
  });

  it('keeps our Twilio WhatsApp number on the message, and answers through Twilio', async () => {
    const phone = '+14155550777';
    await post(`${runtime.url}/webhooks/twilio/sms`, {
      AccountSid: ACCOUNT,
      MessageSid: 'SMqa00000000000000000000000000973',
      From: `whatsapp:${phone}`,
      To: `whatsapp:${WHATSAPP}`,
      WaId: phone.slice(1),
      Body: 'Do you ship to Canada?',
      NumMedia: '0',
    });
    const customer = await find(phone);
    expect(inbound(await timeline(customer.id))).toEqual([['Do you ship to Canada?', WHATSAPP]]);
    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, { text: 'We do.' });
    await runtime.idle();
    const sent = whatsapp.sent.filter((m) => m.to.value === phone && m.author.kind === 'agent');
    expect(sent.map((m) => [m.channel, m.whatsappProvider])).toEqual([['whatsapp', 'twilio']]);
  });

  it('keeps which of our numbers was called on the inbound call', async () => {
    const phone = '+14155550666';
    const call = {
      AccountSid: ACCOUNT,
      CallSid: 'CAqa00000000000000000000000000974',
      From: phone,
      To: FIRST,
    };
    await post(`${runtime.url}/webhooks/twilio/voice`, {
      ...call,
      Direction: 'inbound',
      CallStatus: 'ringing',
    });
    const customer = await find(phone);
    const calls = (await timeline(customer.id)).filter(
      (i) => i.type === 'event' && i.direction === 'inbound',
    );
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.map((i) => [i.from?.value, i.to?.value])).toEqual(calls.map(() => [phone, FIRST]));
  });
});
