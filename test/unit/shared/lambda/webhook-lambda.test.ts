import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createWhatsAppWebhook } from '#shared/channels/whatsapp/webhook.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { createWebhook } from '#shared/http/webhook.js';
import { lambdaWebhook } from '#shared/lambda/webhook-lambda.js';
import { createWhatsAppApp } from '#shared/local/webhook-apps.js';
import { whatsappText } from '../../../support/webhooks.js';

const DOMAIN = 'abc123.execute-api.eu-west-1.amazonaws.com';

/** An API Gateway HTTP API (payload 2.0) event, as Lambda receives it. */
function event(options: {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string;
  base64?: boolean;
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path,
    rawQueryString: options.query ?? '',
    headers: { host: DOMAIN, ...options.headers },
    ...(options.body === undefined
      ? {}
      : {
          body: options.base64 ? Buffer.from(options.body).toString('base64') : options.body,
        }),
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: DOMAIN,
      domainPrefix: 'abc123',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jun/2026:12:00:00 +0000',
      timeEpoch: 1780315200000,
    },
  };
}

describe('lambdaWebhook', () => {
  const SECRET = 'app_secret';
  const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const payload = JSON.stringify(
    whatsappText({
      from: '16505551234',
      messages: [{ id: 'wamid.LAMBDA1', at: '2026-06-01T11:59:00.000Z', text: 'Where is my order?' }],
    }),
  );

  function whatsapp() {
    const queued: Envelope[] = [];
    const deps = {
      queue: { enqueue: async (envelopes: readonly Envelope[]) => void queued.push(...envelopes) },
      clock: { now: () => new Date('2026-06-01T12:00:00.000Z') },
      appSecret: SECRET,
      verifyToken: 'verify-me',
      maxBodyBytes: 64 * 1024,
    };
    return { queued, deps, lambda: lambdaWebhook(createWhatsAppWebhook(deps)) };
  }

  it('queues what the local (Hono) app queues for the same signed delivery, plain or base64', async () => {
    const viaLambda = whatsapp();
    for (const base64 of [false, true]) {
      const result = await viaLambda.lambda(
        event({
          method: 'POST',
          path: '/webhooks/whatsapp',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(payload) },
          body: payload,
          base64,
        }),
      );
      expect(result).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
        body: 'OK',
      });
    }
    const viaHono = whatsapp();
    const res = await createWhatsAppApp(viaHono.deps).request('/webhooks/whatsapp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(payload) },
      body: payload,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK');
    expect(viaHono.queued).toHaveLength(1);
    expect(viaLambda.queued).toEqual([...viaHono.queued, ...viaHono.queued]);
    expect(viaLambda.queued[0]).toMatchObject({ id: expect.stringContaining('wamid.LAMBDA1') });
  });

  it('refuses a forged signature and answers the handshake from the query string', async () => {
    const { lambda, queued } = whatsapp();
    const forged = await lambda(
      event({
        method: 'POST',
        path: '/webhooks/whatsapp',
        headers: { 'x-hub-signature-256': sign(`${payload} `) },
        body: payload,
      }),
    );
    expect(forged.statusCode).toBe(401);
    expect(queued).toEqual([]);

    const handshake = await lambda(
      event({
        method: 'GET',
        path: '/webhooks/whatsapp',
        query: 'hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444',
      }),
    );
    expect(handshake).toMatchObject({ statusCode: 200, body: '1158201444' });
    const wrong = await lambda(
      event({
        method: 'GET',
        path: '/webhooks/whatsapp',
        query: 'hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444',
      }),
    );
    expect(wrong.statusCode).toBe(403);
  });

  it('gives a route the URL the caller used and answers 204 with no headers', async () => {
    const seen: string[] = [];
    const lambda = lambdaWebhook(
      createWebhook(
        [
          {
            method: 'POST',
            path: '/hook',
            handle: (req) => {
              seen.push(req.url, req.header('x-custom') ?? '-', String(req.body.byteLength));
              return { status: 204 };
            },
          },
        ],
        1024,
      ),
    );
    const result = await lambda(
      event({ method: 'POST', path: '/hook', query: 'a=1&b=2', headers: { 'x-custom': 'yes' } }),
    );
    expect(result).toEqual({ statusCode: 204, body: '' });
    expect(seen).toEqual([`https://${DOMAIN}/hook?a=1&b=2`, 'yes', '0']);
    expect((await lambda(event({ method: 'POST', path: '/nope' }))).statusCode).toBe(404);
  });

  it('hands a text body over as text too, unless it came base64 or would not survive UTF-8', async () => {
    const seen: { text: string | undefined; bytes: string }[] = [];
    const lambda = lambdaWebhook(
      createWebhook(
        [
          {
            method: 'POST',
            path: '/hook',
            handle: (req) => {
              seen.push({ text: req.text, bytes: Buffer.from(req.body).toString('hex') });
              return { status: 204 };
            },
          },
        ],
        1024,
      ),
    );
    const post = (body: string, base64 = false) =>
      lambda(event({ method: 'POST', path: '/hook', body, base64 }));
    await post('{"text":"café 👋"}');
    await post('{"text":"café 👋"}', true);
    // A lone surrogate has no UTF-8 form: the bytes carry U+FFFD, and only they say what was signed.
    await post('{"text":"\ud83d"}');
    expect(seen[0]).toEqual({
      text: '{"text":"café 👋"}',
      bytes: Buffer.from('{"text":"café 👋"}').toString('hex'),
    });
    expect(seen[1]).toEqual({ text: undefined, bytes: seen[0]?.bytes });
    expect(seen[2]?.text).toBeUndefined();
    expect(seen[2]?.bytes).toContain('efbfbd');
  });
});
