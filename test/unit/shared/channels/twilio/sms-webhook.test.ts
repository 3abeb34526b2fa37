import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createTwilioSmsWebhook } from '#shared/channels/twilio/sms-webhook.js';
import { EMPTY_TWIML } from '#shared/channels/twilio/twiml.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { encodeReplyKey } from '#shared/domain/reply-key.js';
import { UnavailableError } from '#shared/errors.js';
import { lambdaWebhook } from '#shared/lambda/webhook-lambda.js';
import { createTwilioSmsApp } from '#shared/local/webhook-apps.js';
import { logger } from '#shared/log.js';

const TOKEN = 'test_auth_token';
const BASE = 'https://hooks.example.com';
const SMS = '/webhooks/twilio/sms';
const STATUS = '/webhooks/twilio/status';
const FORM = 'application/x-www-form-urlencoded';
const FIXTURES = new URL('../../../../fixtures/twilio/', import.meta.url);

function params(name: string): Record<string, string> {
  const raw = readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8');
  return z.record(z.string(), z.string()).parse(JSON.parse(raw));
}

/** Twilio's own signature (the official helper) over the URL it calls and the decoded parameters. */
const sign = (url: string, form: Record<string, string>, token = TOKEN) =>
  twilio.getExpectedTwilioSignature(token, url, form);

interface Setup {
  queueError?: Error;
  maxBodyBytes?: number;
  publicBaseUrl?: string | null;
}

function setup(options: Setup = {}) {
  const queued: Envelope[] = [];
  const publicBaseUrl = options.publicBaseUrl === null ? undefined : (options.publicBaseUrl ?? BASE);
  const deps = {
    queue: {
      enqueue: async (envelopes: readonly Envelope[]) => {
        if (options.queueError) throw options.queueError;
        queued.push(...envelopes);
      },
    },
    clock: { now: () => new Date('2026-06-01T12:00:00.000Z') },
    authToken: TOKEN,
    publicBaseUrl,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
  };
  const app = createTwilioSmsApp(deps);
  /** Posts a form as Twilio does (spaces as `+`), signed over `signedUrl` unless a header is given. */
  const post = (
    path: string,
    form: Record<string, string>,
    request: { header?: string | null; signedUrl?: string; contentType?: string; body?: string } = {},
  ) => {
    const header =
      request.header === undefined ? sign(request.signedUrl ?? `${BASE}${path}`, form) : request.header;
    return app.request(path, {
      method: 'POST',
      headers: {
        'content-type': request.contentType ?? FORM,
        ...(header === null ? {} : { 'x-twilio-signature': header }),
      },
      body: request.body ?? new URLSearchParams(form).toString(),
    });
  };
  return { app, lambda: lambdaWebhook(createTwilioSmsWebhook(deps)), queued, post };
}

describe('POST /webhooks/twilio/sms', () => {
  it.each([
    ['sms_inbound', 'twilio:msg:SM2c0f9e8d7c6b5a4938271605f4e3d2c1', 'sms'],
    ['mms_two_media', 'twilio:msg:MM7d5b3f1e9c7a5b3d1f9e7c5a3b1d9f7e', 'sms'],
    ['sms_opt_out_advanced', 'twilio:msg:SM3d4e5f60718293a4b5c6d7e8f9a0b1c2', 'sms'],
    ['whatsapp_inbound', 'twilio:msg:SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', 'whatsapp'],
    ['whatsapp_location', 'twilio:msg:SM1b2c3d4e5f60718293a4b5c6d7e8f9a0', 'whatsapp'],
    ['whatsapp_button_reply', 'twilio:msg:SM0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'whatsapp'],
    ['peer-sms-inbound_whatsapp_brazil_with_9', 'twilio:msg:SMxx', 'whatsapp'],
    ['peer-sms-inbound_whatsapp_bsuid_only', 'twilio:msg:SMxx', 'whatsapp'],
    ['peer-sms-inbound_whatsapp_ctwa_referral', 'twilio:msg:SMxx', 'whatsapp'],
  ])('queues %s and answers empty TwiML', async (name, id, channel) => {
    const { post, queued } = setup();
    const res = await post(SMS, params(name));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(await res.text()).toBe(EMPTY_TWIML);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ id, kind: 'message', provider: 'twilio', channel });
  });

  it.each([
    [
      'a short code',
      { From: '72345', Body: 'Your code is 1234' },
      { reason: 'sender', sender: 'short_code' },
    ],
    [
      'a sender id',
      { From: 'AMAZON', Body: 'Your parcel is on its way' },
      { reason: 'sender', sender: 'alphanumeric' },
    ],
    [
      'a sender id with an ampersand',
      { From: 'H&M', Body: 'Your order has shipped' },
      { reason: 'sender', sender: 'alphanumeric' },
    ],
    ['an empty SMS', { Body: '', NumMedia: '0' }, { reason: 'empty' }],
  ])(
    'answers empty TwiML for %s, queues nothing and logs why, never the text',
    async (_name, change, why) => {
      const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
      try {
        const { post, queued } = setup();
        const form: Record<string, string> = { ...params('sms_inbound'), ...change };
        const res = await post(SMS, form);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe(EMPTY_TWIML);
        expect(queued).toEqual([]);
        const skipped = info.mock.calls.filter(([message]) => message === 'webhook message skipped');
        expect(skipped).toEqual([
          ['webhook message skipped', { provider: 'twilio', bodySha256: expect.any(String), ...why }],
        ]);
        const logged = JSON.stringify(info.mock.calls);
        expect(logged).not.toContain(form.From);
        if (form.Body) expect(logged).not.toContain(form.Body);
      } finally {
        info.mockRestore();
      }
    },
  );

  it('answers empty TwiML for a messaging service short code fixture and queues nothing', async () => {
    const { post, queued } = setup();
    const res = await post(SMS, params('peer-sms-inbound_sms_messaging_service'));
    expect(res.status).toBe(200);
    expect(queued).toEqual([]);
  });

  it('answers the TwiML twilio-node writes for "no reply"', () => {
    expect(EMPTY_TWIML).toBe(new twilio.twiml.MessagingResponse().toString());
  });

  it('decodes + as a space before checking the signature and normalising', async () => {
    const { post, queued } = setup();
    const form = { ...params('sms_inbound'), Body: "It's 100% + more" };
    const body = new URLSearchParams(form).toString();
    expect(body).toContain('Body=It%27s+100%25+%2B+more');
    expect((await post(SMS, form, { body })).status).toBe(200);
    expect(queued[0]).toMatchObject({ text: "It's 100% + more" });
  });

  it('keeps a STOP as a message and records the opt-out', async () => {
    const { post, queued } = setup();
    expect((await post(SMS, { ...params('sms_inbound'), Body: 'STOP' })).status).toBe(200);
    expect(queued[0]).toMatchObject({ kind: 'message', text: 'STOP', data: { optOut: 'stop' } });
  });

  it('checks the signature over the request URL when no public base URL is set', async () => {
    const { post, queued } = setup({ publicBaseUrl: null });
    const res = await post(SMS, params('sms_inbound'), { signedUrl: `http://localhost${SMS}` });
    expect(res.status).toBe(200);
    expect(queued).toHaveLength(1);
  });

  it('accepts a base64 body from API Gateway through the Lambda adapter', async () => {
    const { lambda, queued } = setup({ publicBaseUrl: null });
    const form = params('sms_inbound');
    const domainName = 'abc123.execute-api.eu-west-1.amazonaws.com';
    const body = new URLSearchParams(form).toString();
    const result = await lambda({
      version: '2.0',
      routeKey: '$default',
      rawPath: SMS,
      rawQueryString: '',
      headers: {
        'content-type': FORM,
        host: domainName,
        'x-twilio-signature': sign(`https://${domainName}${SMS}`, form),
      },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
      requestContext: {
        accountId: '123456789012',
        apiId: 'abc123',
        domainName,
        domainPrefix: 'abc123',
        http: {
          method: 'POST',
          path: SMS,
          protocol: 'HTTP/1.1',
          sourceIp: '198.51.100.7',
          userAgent: 'TwilioProxy/1.1',
        },
        requestId: 'req-1',
        routeKey: '$default',
        stage: '$default',
        time: '01/Jun/2026:12:00:00 +0000',
        timeEpoch: 1780315200000,
      },
    });
    expect(result).toEqual({ statusCode: 200, headers: { 'content-type': 'text/xml' }, body: EMPTY_TWIML });
    expect(queued[0]).toMatchObject({
      id: 'twilio:msg:SM2c0f9e8d7c6b5a4938271605f4e3d2c1',
      rawRef: `twilio:${createHash('sha256').update(body).digest('hex')}#`,
    });
  });
});

describe('POST /webhooks/twilio/status', () => {
  it.each([
    ['status_sent', 'sent'],
    ['status_undelivered_30003', 'failed'],
    ['status_whatsapp_read', 'read'],
    ['status_whatsapp_undelivered_63016', 'failed'],
    ['peer-status-delivered', 'delivered'],
    ['peer-status-delivery_status_controller_params', 'delivered'],
    ['peer-status-failed_30008', 'failed'],
    ['peer-status-failed_no_error_message', 'failed'],
    ['peer-status-queued_ignored', 'queued'],
    ['peer-status-read', 'read'],
    ['peer-status-undelivered_30002', 'failed'],
  ])('queues %s as %s and answers 204', async (name, status) => {
    const { post, queued } = setup();
    const res = await post(STATUS, params(name));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ kind: 'status', status });
  });

  it('queues out-of-order callbacks each on its own, for the resolver to order', async () => {
    const { post, queued } = setup();
    for (const status of ['read', 'delivered', 'sent']) {
      expect((await post(STATUS, { ...params('status_whatsapp_read'), MessageStatus: status })).status).toBe(
        204,
      );
    }
    expect(queued.map((envelope) => envelope.id)).toEqual([
      'twilio:status:SM4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d:read',
      'twilio:status:SM4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d:delivered',
      'twilio:status:SM4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d:sent',
    ]);
  });

  it("carries the reply's key from the callback URL we gave, signed with the rest of the URL", async () => {
    const { post, queued } = setup();
    const key = encodeReplyKey({ customerId: 'cu_1', at: '2026-06-01T11:59:00.000Z', replyId: 'rp_1' });
    const path = `${STATUS}?reply=${key}`;
    expect((await post(path, params('status_sent'))).status).toBe(204);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ kind: 'status', status: 'sent', replyKey: key });
  });

  it('refuses a callback whose reply key was changed after Twilio signed the URL', async () => {
    const { post, queued } = setup();
    const key = encodeReplyKey({ customerId: 'cu_1', at: '2026-06-01T11:59:00.000Z', replyId: 'rp_1' });
    const forged = encodeReplyKey({ customerId: 'cu_2', at: '2026-06-01T11:59:00.000Z', replyId: 'rp_1' });
    const res = await post(`${STATUS}?reply=${forged}`, params('status_sent'), {
      signedUrl: `${BASE}${STATUS}?reply=${key}`,
    });
    expect(res.status).toBe(403);
    expect(queued).toEqual([]);
  });

  it('queues a status without a key when the parameter is not a key of ours', async () => {
    const { post, queued } = setup();
    expect((await post(`${STATUS}?reply=hello`, params('status_sent'))).status).toBe(204);
    expect(queued[0]).toMatchObject({ kind: 'status', status: 'sent' });
    expect(queued[0]).not.toHaveProperty('replyKey');
  });

  it('acknowledges a status of an inbound message without queuing anything', async () => {
    const { post, queued } = setup();
    expect((await post(STATUS, { ...params('status_sent'), MessageStatus: 'received' })).status).toBe(204);
    expect(queued).toEqual([]);
  });
});

describe('Twilio messaging webhooks: refusals', () => {
  const routes = [
    [SMS, 'sms_inbound'],
    [STATUS, 'status_sent'],
  ] as const;

  it.each(routes)('%s answers 403 and queues nothing for a missing signature', async (path, fixture) => {
    const { post, queued } = setup();
    const res = await post(path, params(fixture), { header: null });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 'forbidden', message: 'invalid or missing X-Twilio-Signature' },
    });
    expect(queued).toEqual([]);
  });

  it.each([
    [
      'a signature made with another token',
      (form: Record<string, string>) => sign(`${BASE}${SMS}`, form, 'other'),
    ],
    [
      'a signature over the request URL instead of the public one',
      (form: Record<string, string>) => sign(`http://localhost${SMS}`, form),
    ],
    [
      'a signature over other parameters',
      (form: Record<string, string>) => sign(`${BASE}${SMS}`, { ...form, Body: 'other' }),
    ],
  ])('answers 403 for %s', async (_name, forge) => {
    const { post, queued } = setup();
    const form = params('sms_inbound');
    expect((await post(SMS, form, { header: forge(form) })).status).toBe(403);
    expect(queued).toEqual([]);
  });

  it('answers 403 when a query parameter was added to the signed URL', async () => {
    const { post, queued } = setup();
    const form = params('sms_inbound');
    expect((await post(`${SMS}?replay=1`, form, { signedUrl: `${BASE}${SMS}` })).status).toBe(403);
    expect(queued).toEqual([]);
  });

  it('answers 413 for a body over the limit, before reading the signature', async () => {
    const { post, queued } = setup({ maxBodyBytes: 512 });
    const res = await post(SMS, { ...params('sms_inbound'), Body: 'x'.repeat(1000) }, { header: null });
    expect(res.status).toBe(413);
    expect(queued).toEqual([]);
  });

  it('answers 413 for a body over the Twilio limit (64 KiB) under a larger MAX_BODY_BYTES', async () => {
    const { post, queued } = setup({ maxBodyBytes: 4 * 1024 * 1024 });
    const res = await post(SMS, { ...params('sms_inbound'), Body: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(queued).toEqual([]);
  });

  describe('with more form parameters than Twilio sends', () => {
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`P${i}`, 'x']));
    const form = () => ({ ...params('sms_inbound'), ...many });

    it.each([
      ['without a signature', null],
      ['with a forged signature', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ])('answers 403 %s: the parameter cap answers only for a genuine request', async (_, header) => {
      const { post, queued } = setup();
      const res = await post(SMS, form(), { header });
      expect(res.status).toBe(403);
      expect(queued).toEqual([]);
    });

    it('answers 403 for a form signed with another token', async () => {
      const { post, queued } = setup();
      const res = await post(SMS, form(), { header: sign(`${BASE}${SMS}`, form(), 'other') });
      expect(res.status).toBe(403);
      expect(queued).toEqual([]);
    });

    it('answers 400 for a signed one, and counts a repeated name once per value', async () => {
      const { post, queued } = setup();
      const res = await post(SMS, form());
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        'more than 200 form parameters',
      );
      // twilio-node signs a repeated name's distinct values once: the last value stands for all 201.
      const body = `${new URLSearchParams(params('sms_inbound'))}${'&Repeated=x'.repeat(201)}`;
      const header = sign(`${BASE}${SMS}`, Object.fromEntries(new URLSearchParams(body)));
      expect((await post(SMS, {}, { header, body })).status).toBe(400);
      expect(queued).toEqual([]);
    });
  });

  it('answers 403 for an unsigned JSON body, and 400 for a signed one', async () => {
    const { app, queued } = setup();
    const body = '{"MessageSid":"SM1"}';
    const hash = createHash('sha256').update(body).digest('hex');
    const path = `${SMS}?bodySHA256=${hash}`;
    const send = (header: string) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twilio-signature': header },
        body,
      });
    expect((await send('forged')).status).toBe(403);
    const res = await send(sign(`${BASE}${path}`, {}));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_request', message: 'expected application/x-www-form-urlencoded' },
    });
    expect(queued).toEqual([]);
  });

  it('answers 400 for a signed status that Twilio does not document', async () => {
    const { post } = setup();
    expect((await post(STATUS, { ...params('status_sent'), MessageStatus: 'exploded' })).status).toBe(400);
  });

  it.each([
    ['an UnavailableError', new UnavailableError('queue throttled')],
    ['any other error', new Error('socket hang up')],
  ])('answers 503 when the queue fails with %s, so the request can be retried', async (_name, queueError) => {
    const { post } = setup({ queueError });
    for (const [path, fixture] of routes) {
      const res = await post(path, params(fixture));
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    }
  });
});
