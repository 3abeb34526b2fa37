import { describe, expect, it } from 'vitest';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, signedTwilio, twilioSms, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('blank-text-agent-token');

/**
 * QA with multilingual customers: a message of nothing but blanks or invisible characters opened a
 * conversation, started its clock and handed off; control characters were stored, shown and sent.
 * Now nothing visible is an empty message on every channel, skipped before it is queued, and controls
 * leave text, names and replies.
 */
describe('local runtime: messages that show nothing, and control characters', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `agent-blank:${TOKEN}` } });
  const api = agentCaller(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const customerOf = (phone: string) =>
    runtime.store.customers.findCustomerId({ kind: 'phone', value: phone }, { consistent: true });

  it.each([
    ['spaces', '   '],
    ['an ideographic and a no-break space', '\u3000\u00a0'],
    ['zero-width characters and a BOM', '\u200b\u200d\ufeff'],
  ])('opens no conversation for an SMS of %s', async (_, text) => {
    const phone = `+1415555${String(text.codePointAt(0)).padStart(4, '0').slice(-4)}`;
    const params = twilioSms({ sid: `SMblank${phone.slice(1)}000000000000000`, from: phone, text });
    const res = await deliver(signedTwilio(`${runtime.url}/webhooks/twilio/sms`, params, SECRETS.twilio));
    expect(res.status).toBe(200);
    await runtime.idle();
    expect(await customerOf(phone)).toBeUndefined();
  });

  it('opens no conversation for a WhatsApp text of a zero-width space and a word joiner', async () => {
    const at = new Date().toISOString();
    const body = whatsappText({
      from: '14155550961',
      messages: [{ id: 'wamid.blank-1', at, text: '\u200b\u2060' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    expect(await customerOf('+14155550961')).toBeUndefined();
  });

  it('stores a WhatsApp name and text without control characters, and sends a reply without them', async () => {
    const at = new Date().toISOString();
    const body = whatsappText({
      from: '14155550962',
      name: 'Ctrl\u0000Name\u0007',
      messages: [{ id: 'wamid.controls-1', at, text: 'Where\u0000 is\u001b my order?\u0007' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    const customer = await find('+14155550962');
    expect(customer.name).toBe('CtrlName');
    const items = await timeline(customer.id);
    expect(items.find((item) => item.type === 'message' && item.direction === 'inbound')?.text).toBe(
      'Where is my order?',
    );
    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, {
      text: 'It\u0000 ships today',
      channel: 'whatsapp',
    });
    await runtime.idle();
    const entry = runtime.outbox.entries().find((e) => e.message.to.value === '+14155550962');
    expect(entry?.message.text).toBe('It ships today');
  });
});
