import { afterEach, describe, expect, it, vi } from 'vitest';
import { configuredSenders } from '#shared/channels/senders.js';
import { loadConfig } from '#shared/config/config.js';
import type { OutboundMessage } from '#shared/domain/outbound.js';

const twilio = {
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'test_auth_token',
  TWILIO_WHATSAPP_FROM: 'whatsapp:+15017120009',
};
const cloud = { WHATSAPP_ACCESS_TOKEN: 'cloud-token', WHATSAPP_PHONE_NUMBER_ID: '106540352242922' };

const reply = (extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  id: 'r1',
  customerId: 'c1',
  conversationId: 'v1',
  at: '2026-12-06T10:00:00.000Z',
  channel: 'whatsapp',
  to: { kind: 'phone', value: '+14155550888' },
  text: 'hello',
  attachments: [],
  author: { kind: 'agent', id: 'a1' },
  ...extra,
});

/** Where each fetch went, answering as the provider would. */
function providers() {
  const urls: string[] = [];
  const forms: string[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    urls.push(url);
    if (url.includes('twilio.com')) {
      forms.push(String(init.body));
      return new Response(JSON.stringify({ sid: 'SM1', status: 'queued' }), { status: 201 });
    }
    return new Response(JSON.stringify({ messages: [{ id: 'wamid.1' }] }), { status: 200 });
  });
  return { urls, forms };
}

afterEach(() => vi.unstubAllGlobals());

describe('configuredSenders: WhatsApp', () => {
  it('answers a customer who wrote through Twilio through Twilio when the Cloud API is set too', async () => {
    // Before, the Cloud API sender replaced Twilio's: the customer was answered from a number they never wrote to.
    const { urls, forms } = providers();
    const senders = configuredSenders(
      loadConfig({ ...twilio, TWILIO_FROM_NUMBER: '+15017120001', ...cloud }),
    );
    await senders.whatsapp?.send(reply({ whatsappProvider: 'twilio' }));
    expect(urls).toEqual([expect.stringContaining('api.twilio.com')]);
    expect(new URLSearchParams(forms[0]).get('From')).toBe('whatsapp:+15017120009');
    await senders.whatsapp?.send(reply());
    expect(urls[1]).toContain('/106540352242922/messages');
  });

  it('sends WhatsApp through Twilio with TWILIO_WHATSAPP_FROM and no TWILIO_FROM_NUMBER (no SMS sender then)', async () => {
    const { urls, forms } = providers();
    const senders = configuredSenders(loadConfig(twilio));
    expect(senders.sms).toBeUndefined();
    await senders.whatsapp?.send(reply({ whatsappProvider: 'twilio' }));
    expect(urls).toEqual([expect.stringContaining('api.twilio.com')]);
    expect(new URLSearchParams(forms[0]).get('To')).toBe('whatsapp:+14155550888');
  });

  it('sends through the one WhatsApp provider set, whichever the customer wrote through', async () => {
    const { urls } = providers();
    await configuredSenders(loadConfig(cloud)).whatsapp?.send(reply({ whatsappProvider: 'twilio' }));
    await configuredSenders(loadConfig(twilio)).whatsapp?.send(reply());
    expect(urls).toEqual([
      expect.stringContaining('/106540352242922/messages'),
      expect.stringContaining('api.twilio.com'),
    ]);
  });
});

describe('configuredSenders: SMS from a short code', () => {
  it('sends an SMS from our short code the customer texted, a WhatsApp message never', async () => {
    // Before, only an E.164 number could be a reply's From: the short code's customer got TWILIO_FROM_NUMBER.
    const { forms } = providers();
    const senders = configuredSenders(loadConfig({ ...twilio, TWILIO_FROM_NUMBER: '+15017120001' }));
    await senders.sms?.send(reply({ channel: 'sms', from: '72345' }));
    await senders.whatsapp?.send(reply({ from: '72345' }));
    expect(forms.map((form) => new URLSearchParams(form).get('From'))).toEqual([
      '72345',
      'whatsapp:+15017120009',
    ]);
  });
});
