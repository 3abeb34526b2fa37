import { describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { agentCaller, agentRequest, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, signedTwilio, twilioSms, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('whatsapp-twilio-length-token');

type Option = { channel: string; available: boolean; maxLength?: number };

/**
 * A WhatsApp customer reached through Twilio (their messages come to `/webhooks/twilio/sms` with
 * `whatsapp:` addresses) has Twilio's limit of 1,600 characters a message: the API refuses a longer
 * reply at once (`422 text_too_long`) and the reply box is told so (`maxLength`). QA: the API took a
 * 2,000-character reply (the Cloud API's 4,096 was the check) and Twilio refused it at send time, the
 * customer heard nothing. A WhatsApp customer of the Cloud API keeps 4,096.
 */
describe('local runtime: a reply to a WhatsApp customer reached through Twilio has Twilio’s limit', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `agent-len:${TOKEN}` } });
  const api = agentCaller(() => runtime.url, TOKEN);
  const request = agentRequest(() => runtime.url, TOKEN);
  const { find } = customerReads(api);
  const whatsappOption = async (customer: Customer) =>
    (await api<Option[]>('GET', `/api/customers/${customer.id}/channels`)).find(
      (o) => o.channel === 'whatsapp',
    );
  const reply = (customer: Customer, text: string) =>
    request<{ error?: { code: string } }>(
      'POST',
      `/api/conversations/${customer.openConversationId}/replies`,
      {
        text,
        channel: 'whatsapp',
      },
    );

  it('refuses 1,601 characters on WhatsApp through Twilio, and tells the reply box 1,600', async () => {
    const phone = '+14155550931';
    const params = {
      ...twilioSms({ sid: 'SMwhatsapptwilio0000000000000000001', from: `whatsapp:${phone}`, text: 'Hi' }),
      To: 'whatsapp:+15005550006',
    };
    const res = await deliver(signedTwilio(`${runtime.url}/webhooks/twilio/sms`, params, SECRETS.twilio));
    expect(res.status).toBeLessThan(300);
    await runtime.idle();
    const customer = await find(phone);
    expect(customer.channels).toEqual(['whatsapp']);
    expect(customer).toMatchObject({ whatsappProvider: 'twilio' });
    expect(await whatsappOption(customer)).toMatchObject({ available: true, maxLength: 1600 });
    const refused = await reply(customer, 'x'.repeat(1601));
    expect(refused.status).toBe(422);
    expect(refused.json.error?.code).toBe('text_too_long');
    expect((await reply(customer, 'x'.repeat(1600))).status).toBe(202);
  });

  it('keeps the Cloud API’s 4,096 for a WhatsApp customer of the Cloud API', async () => {
    const waId = '14155550932';
    const at = new Date().toISOString();
    const body = whatsappText({ from: waId, messages: [{ id: 'wamid.length-1', at, text: 'Hi' }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    const customer = await find(`+${waId}`);
    expect(customer.whatsappProvider).toBeUndefined();
    expect(await whatsappOption(customer)).toMatchObject({ available: true, maxLength: 4096 });
    expect((await reply(customer, 'x'.repeat(2000))).status).toBe(202);
    expect((await reply(customer, 'x'.repeat(4097))).status).toBe(422);
  });
});
