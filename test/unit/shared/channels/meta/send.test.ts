import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import {
  buildMetaSendRequest,
  META_SEND_API_VERSION,
  MetaMessagingSender,
  type MetaSendRequestOptions,
} from '#shared/channels/meta/send.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import { decodeReplyKey, replyKeyOf } from '#shared/domain/reply-key.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';
import { answering, failure, itHandlesGraphCallFailures } from './graph-send-cases.js';

const TOKEN = 'EAAB-page-secret-token';
const PAGE_ID = '1906385232743851';
const PSID = '6789012345678901';
const IG_ID = '17841400000000000';
const IGSID = '1234567890123456';
const TEXT = 'We refunded your order, Jörg';
const HEADERS = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

function outbound(overrides: Partial<z.input<typeof OutboundMessageSchema>> = {}): OutboundMessage {
  return OutboundMessageSchema.parse({
    id: 'reply-1',
    customerId: 'cus-1',
    conversationId: 'conv-1',
    at: '2026-05-02T10:00:00.000Z',
    channel: 'messenger',
    to: { kind: 'messenger', value: `${PAGE_ID}:${PSID}` },
    author: { kind: 'agent', id: 'agent-1' },
    ...overrides,
  });
}

function instagram(overrides: Partial<z.input<typeof OutboundMessageSchema>> = {}): OutboundMessage {
  return outbound({
    channel: 'instagram',
    to: { kind: 'instagram', value: `${IG_ID}:${IGSID}` },
    ...overrides,
  });
}

function build(message: OutboundMessage, options: Partial<MetaSendRequestOptions> = {}) {
  const request = buildMetaSendRequest(message, { pageAccessToken: TOKEN, ...options });
  return { ...request, body: JSON.parse(request.body) as unknown };
}

function sender(fetchFn: typeof fetch): MetaMessagingSender {
  return new MetaMessagingSender({ pageAccessToken: TOKEN, fetch: fetchFn });
}

/** The documented Graph error body. */
function graphError(code: number, subcode?: number, message = 'Some message') {
  return {
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode !== undefined ? { error_subcode: subcode } : {}),
      fbtrace_id: 'BLBz/WZt8dN',
    },
  };
}

/** The reply's key, which a Messenger send carries as `metadata` for its echo to hand back. */
const KEY = replyKeyOf(outbound());

describe('buildMetaSendRequest', () => {
  it("gives Messenger the reply's key as metadata (its echo hands it back), Instagram nothing", () => {
    expect(KEY).toBeDefined();
    expect(decodeReplyKey(KEY)).toEqual({
      customerId: 'cus-1',
      at: '2026-05-02T10:00:00.000Z',
      replyId: 'reply-1',
    });
    expect(build(instagram({ text: TEXT })).body).not.toHaveProperty('message.metadata');
    // A reply whose ids make no key (no separator may be in them) goes without.
    expect(build(outbound({ text: TEXT, customerId: 'cus 1' })).body).not.toHaveProperty('message.metadata');
  });

  it("posts Messenger text as a RESPONSE to the Page's /messages with a Bearer token", () => {
    expect(build(outbound({ text: TEXT }))).toEqual({
      method: 'POST',
      url: `https://graph.facebook.com/${META_SEND_API_VERSION}/${PAGE_ID}/messages`,
      headers: HEADERS,
      body: { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: TEXT, metadata: KEY } },
    });
    expect(META_SEND_API_VERSION).toBe('v23.0');
  });

  it('sends choices as quick replies whose payload comes back as quick_reply.payload', () => {
    const choices = [
      { id: 'csat:sv1:5', title: '5 ⭐⭐⭐⭐⭐' },
      { id: 'csat:sv1:1', title: '1 ⭐' },
    ];
    expect(build(instagram({ text: 'How did we do?', choices })).body).toMatchObject({
      message: {
        text: 'How did we do?',
        quick_replies: [
          { content_type: 'text', title: '5 ⭐⭐⭐⭐⭐', payload: 'csat:sv1:5' },
          { content_type: 'text', title: '1 ⭐', payload: 'csat:sv1:1' },
        ],
      },
    });
  });

  it('sends a HUMAN_AGENT reply as MESSAGE_TAG with the tag', () => {
    expect(build(outbound({ text: TEXT, tag: 'HUMAN_AGENT' })).body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: TEXT, metadata: KEY },
    });
  });

  it.each([
    ['image', 'image'],
    ['audio', 'audio'],
    ['video', 'video'],
    ['document', 'file'],
    ['file', 'file'],
  ] as const)('sends a %s attachment by URL as type %s', (kind, type) => {
    const message = outbound({
      attachments: [{ url: 'https://cdn.example.com/x', kind, filename: 'x.bin' }],
    });
    expect(build(message).body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { attachment: { type, payload: { url: 'https://cdn.example.com/x' } }, metadata: KEY },
    });
  });

  it('sends Instagram through the linked Page token at /me/messages by default', () => {
    expect(build(instagram({ text: TEXT, tag: 'HUMAN_AGENT' }))).toEqual({
      method: 'POST',
      url: `https://graph.facebook.com/${META_SEND_API_VERSION}/me/messages`,
      headers: HEADERS,
      body: {
        recipient: { id: IGSID },
        messaging_type: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
        message: { text: TEXT },
      },
    });
  });

  it('sends Instagram to graph.instagram.com/<IG_ID>/messages with Instagram Login', () => {
    const request = build(instagram({ text: TEXT }), {
      instagramApi: 'instagram-login',
      apiVersion: 'v24.0',
    });
    expect(request.url).toBe(`https://graph.instagram.com/v24.0/${IG_ID}/messages`);
    expect(request.body).toEqual({
      recipient: { id: IGSID },
      messaging_type: 'RESPONSE',
      message: { text: TEXT },
    });
  });

  it('sends to META_GRAPH_URL when it is set, for both Graph hosts (a local fake)', () => {
    const graphUrl = 'http://127.0.0.1:9911/';
    expect(build(outbound({ text: TEXT }), { graphUrl }).url).toBe(
      `http://127.0.0.1:9911/${META_SEND_API_VERSION}/${PAGE_ID}/messages`,
    );
    expect(build(instagram({ text: TEXT }), { graphUrl }).url).toBe(
      `http://127.0.0.1:9911/${META_SEND_API_VERSION}/me/messages`,
    );
    expect(build(instagram({ text: TEXT }), { graphUrl, instagramApi: 'instagram-login' }).url).toBe(
      `http://127.0.0.1:9911/${META_SEND_API_VERSION}/${IG_ID}/messages`,
    );
  });

  it('splits the identity at its first colon only', () => {
    const message = outbound({ to: { kind: 'messenger', value: `${PAGE_ID}:user:with:colons` }, text: TEXT });
    expect(build(message).body).toMatchObject({ recipient: { id: 'user:with:colons' } });
  });

  it('sends no quote for replyTo, which the Send API does not document', () => {
    expect(build(outbound({ text: TEXT, replyTo: 'm_PREVIOUS' })).body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: TEXT, metadata: KEY },
    });
  });

  it.each([
    [
      'text with an attachment',
      { text: TEXT, attachments: [{ url: 'https://cdn.example.com/a.jpg', kind: 'image' }] },
      /two replies/,
    ],
    [
      'two attachments',
      {
        attachments: [
          { url: 'https://cdn.example.com/a.jpg', kind: 'image' },
          { url: 'https://cdn.example.com/b.jpg', kind: 'image' },
        ],
      },
      /one attachment per message and this reply has 2/,
    ],
    ['a template', { template: { name: 'order_update', language: 'en_US' } }, /templates are WhatsApp's/],
    ['nothing to send', {}, /nothing to send/],
    ['a phone identity', { to: { kind: 'phone', value: '+16505551234' }, text: TEXT }, /messenger identity/],
    [
      'an identity without an account',
      { to: { kind: 'messenger', value: PSID }, text: TEXT },
      /<account id>/,
    ],
    [
      'a non-numeric account',
      { to: { kind: 'messenger', value: `../me:${PSID}` }, text: TEXT },
      /<account id>/,
    ],
    ['an empty scoped id', { to: { kind: 'messenger', value: `${PAGE_ID}:` }, text: TEXT }, /<account id>/],
    ['a WhatsApp message', { channel: 'whatsapp', text: TEXT }, /whatsapp message/],
  ] as const)('refuses %s with a PermanentSendError that says why', (_label, overrides, why) => {
    const attempt = () => build(outbound(overrides as Partial<z.input<typeof OutboundMessageSchema>>));
    expect(attempt).toThrow(PermanentSendError);
    expect(attempt).toThrow(why);
  });
});

describe('MetaMessagingSender', () => {
  it('makes exactly the built request and returns message_id as the provider message id', async () => {
    const fetchFn = answering(200, { recipient_id: PSID, message_id: 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM' });
    const message = outbound({ text: TEXT, tag: 'HUMAN_AGENT' });

    const result = await sender(fetchFn).send(message);

    expect(result).toEqual({ providerMessageId: 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM' });
    expect(fetchFn).toHaveBeenCalledTimes(1);
    const [url, init] = fetchFn.mock.calls[0] ?? [];
    expect(url).toBe(`https://graph.facebook.com/v23.0/${PAGE_ID}/messages`);
    expect(init?.method).toBe('POST');
    expect(init?.headers).toEqual(HEADERS);
    expect(JSON.parse(String(init?.body))).toEqual({
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: TEXT, metadata: KEY },
    });
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('accepts an answer without recipient_id', async () => {
    const result = await sender(answering(200, { message_id: 'm_1' })).send(instagram({ text: TEXT }));
    expect(result).toEqual({ providerMessageId: 'm_1' });
  });

  it('refuses a bad configuration at construction', () => {
    expect(() => new MetaMessagingSender({ pageAccessToken: '' })).toThrow(/empty/);
    expect(() => new MetaMessagingSender({ pageAccessToken: TOKEN, apiVersion: 'latest' })).toThrow(/v23\.0/);
  });

  it('does not call Meta for a message it cannot carry', async () => {
    const fetchFn = answering(200, {});
    await expect(sender(fetchFn).send(outbound())).rejects.toBeInstanceOf(PermanentSendError);
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it.each([
    [400, 613, undefined, 'rate limit'],
    [400, 4, undefined, 'request limit'],
    [400, 4, 2018022, 'request limit'],
    [400, 32, undefined, 'Page reached its request limit'],
    [400, 17, undefined, 'request limit'],
    [500, 1200, undefined, 'temporary send failure'],
    [500, 2, undefined, 'unexpected error'],
    [503, 999999, undefined, 'transient'],
  ])('retries HTTP %i with error %i/%s', async (status, code, subcode, hint) => {
    const error = await failure(
      sender(answering(status, graphError(code, subcode))).send(outbound({ text: TEXT })),
    );
    expect(error).toBeInstanceOf(RetryableSendError);
    expect(error.message).toContain(`error ${subcode === undefined ? code : `${code}/${subcode}`}`);
    expect(error.message).toContain('fbtrace_id BLBz/WZt8dN');
    expect(error.message).toContain(hint);
  });

  it.each([
    [400, 10, 2018278, undefined, '10/2018278', 'HUMAN_AGENT tag'],
    [400, 10, 2018278, 'HUMAN_AGENT', '10/2018278', 'more than 7 days'],
    [400, 551, 1545041, undefined, '551/1545041', "isn't available"],
    [400, 100, 2018001, undefined, '100/2018001', 'no matching user'],
    [400, 100, 2018109, undefined, '100/2018109', 'larger than allowed'],
    [400, 100, undefined, undefined, '100', 'parameter is invalid'],
    [400, 424242, undefined, undefined, '424242', "Meta's Graph API error reference"],
  ] as const)(
    'refuses for good on HTTP %i with error %i/%s (tag %s)',
    async (status, code, subcode, tag, providerCode, hint) => {
      const message = outbound({ text: TEXT, ...(tag ? { tag } : {}) });
      const error = await failure(sender(answering(status, graphError(code, subcode))).send(message));
      expect(error).toBeInstanceOf(PermanentSendError);
      expect((error as PermanentSendError).providerCode).toBe(providerCode);
      expect(error.message).toContain(`Messenger refused the message (error ${providerCode}, HTTP ${status}`);
      expect(error.message).toContain(hint);
    },
  );

  it.each([
    [403, 10, undefined, '10', 'pages_messaging'],
    [401, 190, 463, '190/463', 'renew the Page access token'],
    [403, 200, 2018028, '200/2018028', 'permission missing'],
  ] as const)(
    'refuses our credentials on HTTP %i with error %i/%s (retried)',
    async (status, code, subcode, providerCode, hint) => {
      const error = await failure(
        sender(answering(status, graphError(code, subcode))).send(outbound({ text: TEXT })),
      );
      expect(error).toBeInstanceOf(CredentialsRefusedError);
      expect((error as CredentialsRefusedError).providerCode).toBe(providerCode);
      expect(error.message).toContain(
        `Messenger refused our credentials (error ${providerCode}, HTTP ${status}`,
      );
      expect(error.message).toContain(hint);
    },
  );

  it('names Instagram in an Instagram refusal', async () => {
    const error = await failure(sender(answering(400, graphError(551))).send(instagram({ text: TEXT })));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect(error.message).toMatch(/^Instagram refused the message \(error 551/);
  });

  itHandlesGraphCallFailures(
    'Messenger',
    (fetchFn) => sender(fetchFn).send(outbound({ text: TEXT })),
    {
      recipient_id: PSID,
    },
    [
      [429, '', RetryableSendError],
      [502, '<html>Bad Gateway</html>', RetryableSendError],
      [400, 'not json', PermanentSendError],
      [403, { error: { message: 'no code' } }, PermanentSendError],
    ],
  );

  it.each([
    [400, 10, 2018278],
    [400, 100, undefined],
    [400, 613, undefined],
    [500, 1, undefined],
  ])('keeps the token and the text out of the error for HTTP %i, error %i', async (status, code, subcode) => {
    // Meta's own message may echo request values: it must not reach our error.
    const echo = graphError(
      code,
      subcode,
      `(#${code}) Bad param message[text]=${TEXT} access_token=${TOKEN}`,
    );
    const error = await failure(sender(answering(status, echo)).send(outbound({ text: TEXT })));
    const seen = `${error.message} ${String(error.cause ?? '')} ${JSON.stringify(error)}`;
    expect(seen).not.toContain(TOKEN);
    expect(seen).not.toContain(TEXT);
  });
});
