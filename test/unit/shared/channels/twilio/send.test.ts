import { describe, expect, it, vi } from 'vitest';
import { twilioStatusHint } from '#shared/channels/twilio/error-codes.js';
import { buildTwilioMessageRequest, TwilioSender } from '#shared/channels/twilio/send.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import { decodeReplyKey, replyKeyOf } from '#shared/domain/reply-key.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
/** base64 of `ACCOUNT_SID:AUTH_TOKEN`, computed once outside the code under test. */
const BASIC_CREDENTIALS =
  'QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpmMDBkZmVlZGYwMGRmZWVkZjAwZGZlZWRmMDBkZmVlZA==';
const MESSAGES_URL = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
const HEADERS = {
  Authorization: `Basic ${BASIC_CREDENTIALS}`,
  'Content-Type': 'application/x-www-form-urlencoded',
  Accept: 'application/json',
};
const SMS_FROM = '+15017122661';
const WHATSAPP_FROM = '+14155238886';
const CUSTOMER = '+15558675310';
const TEXT = 'Your order #1234 ships today & arrives Friday';
const STATUS_CALLBACK = 'https://hooks.example.com/twilio/status';
const CONTENT_SID = 'HXb5b62575e6e4ff6129ad7c8efe1f983e';

function outbound(overrides: Record<string, unknown> = {}): OutboundMessage {
  return OutboundMessageSchema.parse({
    id: 'reply-1',
    customerId: 'cust-1',
    conversationId: 'conv-1',
    at: '2026-03-01T12:00:00.000Z',
    channel: 'sms',
    to: { kind: 'phone', value: CUSTOMER },
    text: TEXT,
    author: { kind: 'agent', id: 'agent-7' },
    ...overrides,
  });
}

const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };

describe('buildTwilioMessageRequest', () => {
  it('builds the Messages call for an SMS: Basic auth and a form body', () => {
    expect(buildTwilioMessageRequest(outbound(), { ...credentials, from: SMS_FROM })).toEqual({
      method: 'POST',
      url: MESSAGES_URL,
      headers: HEADERS,
      body: 'To=%2B15558675310&From=%2B15017122661&Body=Your+order+%231234+ships+today+%26+arrives+Friday',
    });
  });

  it('sends each attachment as its own MediaUrl (an MMS) and asks for status callbacks', () => {
    const message = outbound({
      text: 'Two photos',
      attachments: [
        { url: 'https://cdn.example.com/a.jpg', kind: 'image' },
        { url: 'https://cdn.example.com/b.png?sig=x&y=1', kind: 'image' },
      ],
    });
    const request = buildTwilioMessageRequest(message, {
      ...credentials,
      from: SMS_FROM,
      statusCallback: STATUS_CALLBACK,
    });
    expect(request.body).toBe(
      'To=%2B15558675310&From=%2B15017122661&Body=Two+photos' +
        '&MediaUrl=https%3A%2F%2Fcdn.example.com%2Fa.jpg' +
        '&MediaUrl=https%3A%2F%2Fcdn.example.com%2Fb.png%3Fsig%3Dx%26y%3D1' +
        `&StatusCallback=https%3A%2F%2Fhooks.example.com%2Ftwilio%2Fstatus%3Freply%3D${replyKeyOf(message)}` +
        // Connection overrides: Twilio retries a 503 or a 429 (providers.md §1.2), and signs no fragment.
        '%23rc%3D3%26rp%3Dall',
    );
    const form = new URLSearchParams(request.body);
    expect(form.getAll('MediaUrl')).toEqual([
      'https://cdn.example.com/a.jpg',
      'https://cdn.example.com/b.png?sig=x&y=1',
    ]);
  });

  it('answers a caller (voice channel) with an SMS to their number', () => {
    const request = buildTwilioMessageRequest(outbound({ channel: 'voice' }), {
      ...credentials,
      from: SMS_FROM,
    });
    expect(request.body).toBe(
      'To=%2B15558675310&From=%2B15017122661&Body=Your+order+%231234+ships+today+%26+arrives+Friday',
    );
  });

  it('sends media without a Body when there is no text', () => {
    const message = outbound({ text: undefined, attachments: [{ url: 'https://cdn.example.com/a.jpg' }] });
    const form = new URLSearchParams(
      buildTwilioMessageRequest(message, { ...credentials, from: SMS_FROM }).body,
    );
    expect([...form.keys()]).toEqual(['To', 'From', 'MediaUrl']);
  });

  it.each([
    ['a bare number', WHATSAPP_FROM],
    ['an already prefixed number', `whatsapp:${WHATSAPP_FROM}`],
  ])('prefixes To and From with whatsapp: on the WhatsApp channel, given %s', (_name, from) => {
    const request = buildTwilioMessageRequest(outbound({ channel: 'whatsapp' }), { ...credentials, from });
    expect(request).toEqual({
      method: 'POST',
      url: MESSAGES_URL,
      headers: HEADERS,
      body: 'To=whatsapp%3A%2B15558675310&From=whatsapp%3A%2B14155238886&Body=Your+order+%231234+ships+today+%26+arrives+Friday',
    });
  });

  it('sends a WhatsApp template named by its Content SID as ContentSid and numbered ContentVariables', () => {
    const message = outbound({
      channel: 'whatsapp',
      text: 'ignored: a template replaces the body',
      attachments: [{ url: 'https://cdn.example.com/a.jpg' }],
      template: { name: CONTENT_SID, language: 'en', parameters: ['Ada', '12/1'] },
    });
    const form = new URLSearchParams(
      buildTwilioMessageRequest(message, { ...credentials, from: WHATSAPP_FROM }).body,
    );
    expect([...form.entries()]).toEqual([
      ['To', `whatsapp:${CUSTOMER}`],
      ['From', `whatsapp:${WHATSAPP_FROM}`],
      ['ContentSid', CONTENT_SID],
      ['ContentVariables', '{"1":"Ada","2":"12/1"}'],
    ]);
  });

  it.each([
    [
      'a template known only by name',
      { channel: 'whatsapp', template: { name: 'order_update', language: 'en' } },
    ],
    ['an SMS template', { template: { name: CONTENT_SID, language: 'en' } }],
    ['an email', { channel: 'email', to: { kind: 'email', value: 'ada@example.com' } }],
    ['a Messenger reply', { channel: 'messenger', to: { kind: 'messenger', value: '1:2' } }],
    [
      'a WhatsApp username (BSUID)',
      { channel: 'whatsapp', to: { kind: 'whatsapp', value: 'US.13491208655302741918' } },
    ],
    ['a reply with nothing in it', { text: undefined }],
  ])('refuses for good %s', (_name, overrides) => {
    expect(() => buildTwilioMessageRequest(outbound(overrides), { ...credentials, from: SMS_FROM })).toThrow(
      PermanentSendError,
    );
  });
});

/** A fetch that answers once with `status` and `body` (JSON when not a string). */
function answering(status: number, body?: unknown) {
  return vi.fn<typeof fetch>(
    async () =>
      new Response(typeof body === 'string' || body === undefined ? body : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': typeof body === 'string' ? 'text/html' : 'application/json' },
      }),
  );
}

function sender(
  fetch: typeof globalThis.fetch,
  from: { sms: string; whatsapp?: string } = { sms: SMS_FROM },
) {
  return new TwilioSender({ ...credentials, from, statusCallback: STATUS_CALLBACK, fetch });
}

/** The error `send` rejects with. */
async function failure(send: Promise<unknown>): Promise<Error> {
  const error = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected send to fail');
  return error;
}

const QUEUED = { sid: 'SM1f0e8ae6ade43cb3c0ce4525424e404f', status: 'queued', body: TEXT };

describe('TwilioSender', () => {
  it('posts the built request and returns the message sid', async () => {
    const fetch = answering(201, QUEUED);
    await expect(sender(fetch).send(outbound())).resolves.toEqual({
      providerMessageId: QUEUED.sid,
      keyEchoed: true,
    });
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe(MESSAGES_URL);
    expect(init).toMatchObject({ method: 'POST', headers: HEADERS });
    const callback = new URL(new URLSearchParams(String(init?.body)).get('StatusCallback') ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(STATUS_CALLBACK);
    expect(callback.hash).toBe('#rc=3&rp=all');
    expect(decodeReplyKey(callback.searchParams.get('reply'))).toEqual({
      customerId: 'cust-1',
      at: outbound().at,
      replyId: 'reply-1',
    });
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('asks no key back when it has no status-callback URL of ours, so statuses need the reference', async () => {
    const fetch = answering(201, QUEUED);
    const bare = new TwilioSender({ ...credentials, from: { sms: SMS_FROM }, fetch });
    await expect(bare.send(outbound())).resolves.toEqual({ providerMessageId: QUEUED.sid });
    expect(new URLSearchParams(String(fetch.mock.calls[0]?.[1]?.body)).has('StatusCallback')).toBe(false);
  });

  it('sends WhatsApp from the configured WhatsApp number', async () => {
    const fetch = answering(201, QUEUED);
    await sender(fetch, { sms: SMS_FROM, whatsapp: WHATSAPP_FROM }).send(outbound({ channel: 'whatsapp' }));
    expect(new URLSearchParams(String(fetch.mock.calls[0]?.[1]?.body)).get('From')).toBe(
      `whatsapp:${WHATSAPP_FROM}`,
    );
  });

  it('replies from the number the conversation came in on when the message names one', async () => {
    const fetch = answering(201, QUEUED);
    await sender(fetch).send(outbound({ from: '+442071838750' }));
    expect(new URLSearchParams(String(fetch.mock.calls[0]?.[1]?.body)).get('From')).toBe('+442071838750');
  });

  it('ignores a from that is not a phone number (a Meta phone_number_id)', async () => {
    const fetch = answering(201, QUEUED);
    await sender(fetch).send(outbound({ from: '106540352242922' }));
    expect(new URLSearchParams(String(fetch.mock.calls[0]?.[1]?.body)).get('From')).toBe(SMS_FROM);
  });

  it('fails for good without calling Twilio when no WhatsApp sender is configured', async () => {
    const fetch = answering(201, QUEUED);
    const error = await failure(sender(fetch).send(outbound({ channel: 'whatsapp' })));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).providerCode).toBe('channel_not_configured');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('fails for good, rather than send twice, when a 2xx carries no sid', async () => {
    const error = await failure(sender(answering(201, { status: 'queued' })).send(outbound()));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).providerCode).toBe('invalid_response');
  });

  it.each([
    ['429 without a body', answering(429)],
    ['429 with code 20429', answering(429, { code: 20429, message: 'Too Many Requests', status: 429 })],
    ['400 with code 20429', answering(400, { code: 20429, message: 'Too Many Requests', status: 400 })],
    ['500 with a JSON body', answering(500, { code: 20500, message: 'Internal Server Error', status: 500 })],
    ['503 with an HTML page', answering(503, '<html><body>Service Unavailable</body></html>')],
    [
      'a network failure',
      vi.fn<typeof fetch>(async () => {
        throw new TypeError('fetch failed');
      }),
    ],
    [
      'a timeout',
      vi.fn<typeof fetch>(async () => {
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      }),
    ],
  ])('asks for a retry on %s', async (_name, fetch) => {
    expect(await failure(sender(fetch).send(outbound()))).toBeInstanceOf(RetryableSendError);
  });

  it("carries Twilio's Retry-After on a 429, for the queue's delay", async () => {
    const throttled = vi.fn<typeof fetch>(
      async () =>
        new Response(JSON.stringify({ code: 20429, message: 'Too Many Requests', status: 429 }), {
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '45' },
        }),
    );
    const error = await failure(sender(throttled).send(outbound()));
    expect((error as RetryableSendError).retryAfterMs).toBe(45_000);
    const without = await failure(sender(answering(429)).send(outbound()));
    expect((without as RetryableSendError).retryAfterMs).toBeUndefined();
  });

  const refusal = (code: number, status = 400) =>
    answering(status, {
      code,
      message: `Twilio says ${code}`,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    });

  it.each([
    [21610, 400, /texted STOP.*must text START/],
    [21211, 400, /not a valid phone number/],
    [21614, 400, /cannot receive SMS/],
    [63016, 400, /window is closed: use a template/],
    [21617, 400, /1600 characters/],
  ])('fails for good on Twilio error %i with a reason an agent can act on', async (code, status, reason) => {
    const error = await failure(sender(refusal(code, status)).send(outbound()));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).providerCode).toBe(String(code));
    expect(error.message).toMatch(reason);
  });

  it('refuses our credentials on Twilio error 20003 (retried, not failed for good)', async () => {
    const error = await failure(sender(refusal(20003, 401)).send(outbound()));
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    expect((error as CredentialsRefusedError).providerCode).toBe('20003');
    expect(error.message).toMatch(
      /refused our credentials \(HTTP 401, error 20003\): check TWILIO_ACCOUNT_SID/,
    );
  });

  it.each([21610, 21614, 30003])(
    'says of Twilio error %i at the send what its status callback says of it (one table)',
    async (code) => {
      const hint = twilioStatusHint(String(code));
      expect(hint).toBeDefined();
      const error = await failure(sender(refusal(code)).send(outbound()));
      expect(error.message).toBe(`${hint} (Twilio error ${code})`);
    },
  );

  it("fails for good on an unknown code, keeping Twilio's explanation", async () => {
    const error = await failure(sender(refusal(21999)).send(outbound()));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).providerCode).toBe('21999');
    expect(error.message).toBe('Twilio refused the message (HTTP 400, error 21999): Twilio says 21999');
  });

  it('fails for good on a 4xx without a body, coded by the HTTP status', async () => {
    const error = await failure(sender(answering(404)).send(outbound()));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).providerCode).toBe('http_404');
  });

  it('reads the code of the newer `errors` array format', async () => {
    const fetch = answering(400, { errors: [{ code: 21610, message: 'Unsubscribed recipient' }] });
    const error = await failure(sender(fetch).send(outbound()));
    expect((error as PermanentSendError).providerCode).toBe('21610');
  });

  it.each([
    ['a refusal echoing them', answering(400, { code: 21999, message: `bad ${AUTH_TOKEN} for "${TEXT}"` })],
    ['a known refusal', refusal(21610)],
    ['a 401', answering(401, { code: 20003, message: `Authenticate ${AUTH_TOKEN}` })],
    ['a 5xx', answering(502, `<p>${AUTH_TOKEN} ${TEXT}</p>`)],
    [
      'a network failure',
      vi.fn<typeof fetch>(async () => {
        throw new TypeError('fetch failed');
      }),
    ],
  ])('never puts the Auth Token or the message text in the error, on %s', async (_name, fetch) => {
    const error = await failure(sender(fetch).send(outbound()));
    const seen = [error.message, String(error), JSON.stringify(error), String(error.cause ?? '')].join('\n');
    for (const secret of [AUTH_TOKEN, BASIC_CREDENTIALS, TEXT]) expect(seen).not.toContain(secret);
  });
});
