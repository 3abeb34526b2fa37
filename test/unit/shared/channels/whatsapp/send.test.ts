import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import {
  buildWhatsAppRequest,
  WHATSAPP_API_VERSION,
  WhatsAppSender,
} from '#shared/channels/whatsapp/send.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import { decodeReplyKey, replyKeyOf } from '#shared/domain/reply-key.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';
import { answering, failure, itHandlesGraphCallFailures } from '../meta/graph-send-cases.js';

const TOKEN = 'EAAG-secret-access-token';
const PHONE_NUMBER_ID = '106540352242922';
const TEXT = 'Your parcel ships tomorrow, Jörg';
const URL = `https://graph.facebook.com/${WHATSAPP_API_VERSION}/${PHONE_NUMBER_ID}/messages`;
const HEADERS = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

function outbound(overrides: Partial<z.input<typeof OutboundMessageSchema>> = {}): OutboundMessage {
  return OutboundMessageSchema.parse({
    id: 'reply-1',
    customerId: 'cus-1',
    conversationId: 'conv-1',
    at: '2026-05-02T10:00:00.000Z',
    channel: 'whatsapp',
    to: { kind: 'phone', value: '+16505551234' },
    author: { kind: 'agent', id: 'agent-1' },
    ...overrides,
  });
}

/** The reply's own key, which every send hands WhatsApp to give back on the message's statuses. */
const KEY = replyKeyOf(outbound());

function bodyOf(message: OutboundMessage): unknown {
  return JSON.parse(
    buildWhatsAppRequest(message, { phoneNumberId: PHONE_NUMBER_ID, accessToken: TOKEN }).body,
  );
}

function sender(fetchFn: typeof fetch): WhatsAppSender {
  return new WhatsAppSender({ phoneNumberId: PHONE_NUMBER_ID, accessToken: TOKEN, fetch: fetchFn });
}

/** The documented Graph error body. */
function graphError(code: number, message = 'Some title', extra: Record<string, unknown> = {}) {
  return {
    error: {
      message,
      type: 'OAuthException',
      code,
      error_subcode: 2494010,
      fbtrace_id: 'AbCdEf123',
      ...extra,
    },
  };
}

describe('buildWhatsAppRequest', () => {
  it('posts text to /<phone_number_id>/messages with a Bearer token, to an E.164 number with its +', () => {
    const request = buildWhatsAppRequest(outbound({ text: TEXT }), {
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: TOKEN,
    });
    expect(request.method).toBe('POST');
    expect(request.url).toBe(URL);
    expect(request.headers).toEqual(HEADERS);
    expect(JSON.parse(request.body)).toEqual({
      messaging_product: 'whatsapp',
      biz_opaque_callback_data: KEY,
      recipient_type: 'individual',
      to: '+16505551234',
      type: 'text',
      text: { preview_url: false, body: TEXT },
    });
  });

  it("gives WhatsApp the reply's key as biz_opaque_callback_data, to hand back on its statuses", () => {
    const body = bodyOf(outbound({ text: TEXT })) as { biz_opaque_callback_data?: string };
    expect(decodeReplyKey(body.biz_opaque_callback_data)).toEqual({
      customerId: 'cus-1',
      at: '2026-05-02T10:00:00.000Z',
      replyId: 'reply-1',
    });
  });

  it('sends no callback data for ids a key cannot carry, and then says statuses will not carry it', async () => {
    const message = outbound({ id: 'reply 1', text: TEXT });
    expect(bodyOf(message)).not.toHaveProperty('biz_opaque_callback_data');
    const fetchFn = answering(200, { messages: [{ id: 'wamid.X' }] });
    expect(await sender(fetchFn).send(message)).toEqual({ providerMessageId: 'wamid.X' });
  });

  it('asks for a link preview when the text holds a URL', () => {
    expect(bodyOf(outbound({ text: 'Track it at https://example.com/t/1' }))).toMatchObject({
      text: { preview_url: true, body: 'Track it at https://example.com/t/1' },
    });
  });

  it('uses the pinned Graph API version unless told another', () => {
    const request = buildWhatsAppRequest(outbound({ text: TEXT }), {
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: TOKEN,
      apiVersion: 'v24.0',
    });
    expect(WHATSAPP_API_VERSION).toBe('v23.0');
    expect(request.url).toBe(`https://graph.facebook.com/v24.0/${PHONE_NUMBER_ID}/messages`);
  });

  it('sends to META_GRAPH_URL when it is set (a local fake)', () => {
    const request = buildWhatsAppRequest(outbound({ text: TEXT }), {
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: TOKEN,
      graphUrl: 'http://127.0.0.1:9911',
    });
    expect(request.url).toBe(`http://127.0.0.1:9911/${WHATSAPP_API_VERSION}/${PHONE_NUMBER_ID}/messages`);
  });

  it('quotes the message it answers with context.message_id', () => {
    expect(bodyOf(outbound({ text: TEXT, replyTo: 'wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdG' }))).toEqual({
      messaging_product: 'whatsapp',
      biz_opaque_callback_data: KEY,
      recipient_type: 'individual',
      to: '+16505551234',
      context: { message_id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdG' },
      type: 'text',
      text: { preview_url: false, body: TEXT },
    });
  });

  it('addresses a business-scoped user id in `recipient`, never in `to`', () => {
    const body = bodyOf(outbound({ to: { kind: 'whatsapp', value: 'US.13491208655302741918' }, text: TEXT }));
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      biz_opaque_callback_data: KEY,
      recipient_type: 'individual',
      recipient: 'US.13491208655302741918',
      type: 'text',
      text: { preview_url: false, body: TEXT },
    });
  });

  it('sends choices as interactive reply buttons (a survey), their ids handed back as button_reply.id', () => {
    const choices = [
      { id: 'csat:sv1:5', title: '😀 Great' },
      { id: 'csat:sv1:1', title: '🙁 Poor' },
    ];
    expect(bodyOf(outbound({ text: 'How did we do?', choices }))).toEqual({
      messaging_product: 'whatsapp',
      biz_opaque_callback_data: KEY,
      recipient_type: 'individual',
      to: '+16505551234',
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'How did we do?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'csat:sv1:5', title: '😀 Great' } },
            { type: 'reply', reply: { id: 'csat:sv1:1', title: '🙁 Poor' } },
          ],
        },
      },
    });
  });

  it('refuses more than three reply buttons, WhatsApp’s limit', () => {
    const choices = [1, 2, 3, 4].map((n) => ({ id: `c${n}`, title: `${n}` }));
    expect(() => bodyOf(outbound({ text: 'Rate us', choices }))).toThrow(PermanentSendError);
  });

  it('sends an image by link with the text as its caption', () => {
    const message = outbound({
      text: 'The damaged box',
      attachments: [{ url: 'https://cdn.example.com/box.jpg', kind: 'image', filename: 'box.jpg' }],
    });
    expect(bodyOf(message)).toEqual({
      messaging_product: 'whatsapp',
      biz_opaque_callback_data: KEY,
      recipient_type: 'individual',
      to: '+16505551234',
      type: 'image',
      image: { link: 'https://cdn.example.com/box.jpg', caption: 'The damaged box' },
    });
  });

  it.each([
    ['document', 'document'],
    ['file', 'document'],
  ] as const)('sends a %s attachment as a document with its filename and caption', (kind, type) => {
    const message = outbound({
      text: 'Your invoice',
      attachments: [{ url: 'https://cdn.example.com/inv.pdf', kind, filename: 'invoice-42.pdf' }],
    });
    expect(bodyOf(message)).toEqual({
      messaging_product: 'whatsapp',
      biz_opaque_callback_data: KEY,
      recipient_type: 'individual',
      to: '+16505551234',
      type,
      [type]: {
        link: 'https://cdn.example.com/inv.pdf',
        caption: 'Your invoice',
        filename: 'invoice-42.pdf',
      },
    });
  });

  it.each(['video', 'audio'] as const)('sends %s by link alone when there is no text', (kind) => {
    const message = outbound({ attachments: [{ url: `https://cdn.example.com/clip.${kind}`, kind }] });
    expect(bodyOf(message)).toEqual({
      messaging_product: 'whatsapp',
      biz_opaque_callback_data: KEY,
      recipient_type: 'individual',
      to: '+16505551234',
      type: kind,
      [kind]: { link: `https://cdn.example.com/clip.${kind}` },
    });
  });

  it('sends a template with its language and body parameters in order', () => {
    const message = outbound({
      template: { name: 'order_update', language: 'en_US', parameters: ['Jörg', '#4521'] },
      replyTo: 'wamid.PREV',
    });
    expect(bodyOf(message)).toEqual({
      messaging_product: 'whatsapp',
      biz_opaque_callback_data: KEY,
      recipient_type: 'individual',
      to: '+16505551234',
      context: { message_id: 'wamid.PREV' },
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Jörg' },
              { type: 'text', text: '#4521' },
            ],
          },
        ],
      },
    });
  });

  it('sends a template without parameters with no components', () => {
    expect(bodyOf(outbound({ template: { name: 'hello_world', language: 'en_US' } }))).toMatchObject({
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    expect(bodyOf(outbound({ template: { name: 'hello_world', language: 'en_US' } }))).not.toHaveProperty(
      'template.components',
    );
  });

  it.each([
    ['an email identity', { to: { kind: 'email', value: 'a@example.com' }, text: TEXT }, /email identity/],
    ['a phone number without +', { to: { kind: 'phone', value: '16505551234' }, text: TEXT }, /E\.164/],
    ['a message for another channel', { channel: 'sms', text: TEXT }, /sms message/],
    ['nothing to send', {}, /nothing to send/],
    [
      'a template with text',
      { template: { name: 't', language: 'en' }, text: TEXT },
      /template is sent on its own/,
    ],
    [
      'two attachments',
      {
        attachments: [
          { url: 'https://cdn.example.com/a.jpg', kind: 'image' },
          { url: 'https://cdn.example.com/b.jpg', kind: 'image' },
        ],
      },
      /one media item per message and this reply has 2/,
    ],
    [
      'audio with a caption',
      { text: TEXT, attachments: [{ url: 'https://cdn.example.com/a.ogg', kind: 'audio' }] },
      /audio carries no caption/,
    ],
  ] as const)('refuses %s with a PermanentSendError that says why', (_label, overrides, why) => {
    const build = () => bodyOf(outbound(overrides as Partial<z.input<typeof OutboundMessageSchema>>));
    expect(build).toThrow(PermanentSendError);
    expect(build).toThrow(why);
  });

  it('refuses a phone number id that is not numeric', () => {
    expect(() =>
      buildWhatsAppRequest(outbound({ text: TEXT }), { phoneNumberId: '../me', accessToken: TOKEN }),
    ).toThrow(PermanentSendError);
  });
});

describe('WhatsAppSender', () => {
  it('makes exactly the built request and returns the wamid as the provider message id', async () => {
    const fetchFn = answering(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: '+16505551234', wa_id: '16505551234' }],
      messages: [{ id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA' }],
    });
    const message = outbound({ text: TEXT });

    const result = await sender(fetchFn).send(message);

    expect(result).toEqual({
      providerMessageId: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
    });
    expect(fetchFn).toHaveBeenCalledTimes(1);
    const [url, init] = fetchFn.mock.calls[0] ?? [];
    expect(url).toBe(URL);
    expect(init?.method).toBe('POST');
    expect(init?.headers).toEqual(HEADERS);
    expect(JSON.parse(String(init?.body))).toEqual(bodyOf(message));
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('refuses a bad configuration at construction', () => {
    expect(() => new WhatsAppSender({ phoneNumberId: 'abc', accessToken: TOKEN })).toThrow(/numeric/);
    expect(() => new WhatsAppSender({ phoneNumberId: PHONE_NUMBER_ID, accessToken: '' })).toThrow(/empty/);
    expect(
      () => new WhatsAppSender({ phoneNumberId: PHONE_NUMBER_ID, accessToken: TOKEN, apiVersion: '23' }),
    ).toThrow(/v23\.0/);
  });

  it('does not call WhatsApp for a message it cannot carry', async () => {
    const fetchFn = answering(200, {});
    await expect(sender(fetchFn).send(outbound())).rejects.toBeInstanceOf(PermanentSendError);
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it.each([
    [429, 130429, 'throughput'],
    [400, 131056, 'pair rate limit'],
    [500, 131000, 'something went wrong'],
    [503, 131016, 'temporarily unavailable'],
    [400, 1, 'unknown API error'],
    [503, 2, 'temporarily down'],
    [400, 4, 'rate limit'],
    [400, 80007, 'rate limit'],
    [502, 999999, 'transient'],
  ])('retries HTTP %i with error %i', async (status, code, hint) => {
    const error = await failure(sender(answering(status, graphError(code))).send(outbound({ text: TEXT })));
    expect(error).toBeInstanceOf(RetryableSendError);
    expect(error.message).toContain(`error ${code}`);
    expect(error.message).toContain('fbtrace_id AbCdEf123');
    expect(error.message).toContain(hint);
  });

  it.each([
    [400, 131047, 'approved template'],
    [400, 131026, 'undeliverable'],
    [400, 100, 'parameter is invalid'],
    [400, 131048, 'spam'],
    [400, 131051, 'not supported'],
    [400, 131052, 'could not download the media'],
    [400, 131062, 'needs the phone number'],
    [404, 132001, 'template does not exist'],
    [400, 132000, 'parameter count'],
    [400, 133010, 'not registered'],
    [400, 424242, "Meta's WhatsApp error code reference"],
  ])(
    'refuses for good on HTTP %i with error %i, naming the code and what to do',
    async (status, code, hint) => {
      const error = await failure(sender(answering(status, graphError(code))).send(outbound({ text: TEXT })));
      expect(error).toBeInstanceOf(PermanentSendError);
      expect((error as PermanentSendError).providerCode).toBe(String(code));
      expect(error.message).toContain(`error ${code}, HTTP ${status}`);
      expect(error.message).toContain(hint);
    },
  );

  it.each([
    [401, 190, 'renew the WhatsApp token'],
    [401, 0, 'could not be authenticated'],
    [403, 10, 'whatsapp_business_messaging'],
    [403, 200, 'permission not granted'],
    [500, 3, 'capability or permission'],
  ])(
    'refuses our credentials on HTTP %i with error %i (retried, not failed for good)',
    async (status, code, hint) => {
      const error = await failure(sender(answering(status, graphError(code))).send(outbound({ text: TEXT })));
      expect(error).toBeInstanceOf(CredentialsRefusedError);
      expect((error as CredentialsRefusedError).providerCode).toBe(String(code));
      expect(error.message).toContain(`WhatsApp refused our credentials (error ${code}, HTTP ${status}`);
      expect(error.message).toContain(hint);
    },
  );

  itHandlesGraphCallFailures(
    'WhatsApp',
    (fetchFn) => sender(fetchFn).send(outbound({ text: TEXT })),
    {
      messaging_product: 'whatsapp',
    },
    [
      [429, '', RetryableSendError],
      [503, '<html>Service Unavailable</html>', RetryableSendError],
      [408, '', RetryableSendError],
      [400, 'not json', PermanentSendError],
      [404, { error: { message: 'no code here' } }, PermanentSendError],
    ],
  );

  it.each([
    [400, 131047],
    [400, 100],
    [429, 130429],
    [502, 0],
  ])('keeps the token and the text out of the error for HTTP %i, error %i', async (status, code) => {
    // Meta's own message and details may echo request values: they must not reach our error.
    const echo = graphError(code, `(#${code}) Invalid value ${TEXT} for token ${TOKEN}`, {
      error_data: { messaging_product: 'whatsapp', details: `body was "${TEXT}"` },
    });
    const error = await failure(sender(answering(status, echo)).send(outbound({ text: TEXT })));
    const seen = `${error.message} ${String(error.cause ?? '')} ${JSON.stringify(error)}`;
    expect(seen).not.toContain(TOKEN);
    expect(seen).not.toContain(TEXT);
  });
});
