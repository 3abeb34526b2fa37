import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createWhatsAppWebhook } from '#shared/channels/whatsapp/webhook.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { createWebhook } from '#shared/http/webhook.js';
import { REFRESH_EVERY_MS, refreshOnRefusal } from '#shared/lambda/refresh-on-refusal.js';
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

describe('refreshOnRefusal: a rotated secret read again after a refused signature', () => {
  const OLD = 'old_app_secret';
  const NEW = 'new_app_secret';
  const sign = (secret: string, body: string) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const body = (id: string) =>
    JSON.stringify(
      whatsappText({
        from: '16505551234',
        messages: [{ id, at: '2026-06-01T11:59:00.000Z', text: 'Hello after the rotation' }],
      }),
    );
  const post = (secret: string, id: string) =>
    event({
      method: 'POST',
      path: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(secret, body(id)) },
      body: body(id),
    });

  /** The handler as the Lambda builds it, the secret store holding `stored.secret` when it is read. */
  function rotating(stored: { secret: string; fails?: boolean }) {
    const queued: Envelope[] = [];
    let reads = 0;
    let time = Date.parse('2026-06-01T12:00:00.000Z');
    const build = async () => {
      reads += 1;
      if (stored.fails) throw new Error('secrets manager unavailable');
      return lambdaWebhook(
        createWhatsAppWebhook({
          queue: { enqueue: async (envelopes: readonly Envelope[]) => void queued.push(...envelopes) },
          clock: { now: () => new Date(time) },
          appSecret: stored.secret,
          verifyToken: 'verify-me',
          maxBodyBytes: 64 * 1024,
        }),
      );
    };
    return {
      queued,
      reads: () => reads,
      advance: (ms: number) => {
        time += ms;
      },
      handler: async () => refreshOnRefusal(await build(), build, () => time),
    };
  }

  it('reads the secret again once a minute has passed, takes the request signed with the new value, and keeps the new one', async () => {
    const stored = { secret: OLD };
    const lambda = rotating(stored);
    const handler = await lambda.handler();
    stored.secret = NEW;
    // Within the minute of the cold start's read: refused, not read again.
    expect((await handler(post(NEW, 'wamid.ROT1'))).statusCode).toBe(401);
    expect(lambda.reads()).toBe(1);
    lambda.advance(REFRESH_EVERY_MS);
    expect((await handler(post(NEW, 'wamid.ROT2'))).statusCode).toBe(200);
    expect(lambda.reads()).toBe(2);
    expect(lambda.queued.map((e) => e.id)).toEqual([expect.stringContaining('wamid.ROT2')]);
    expect((await handler(post(NEW, 'wamid.ROT3'))).statusCode).toBe(200);
    expect(lambda.reads()).toBe(2);
    // The old value is refused from now on, and a flood of forgeries reads the secret once a minute.
    for (let i = 0; i < 5; i++) expect((await handler(post(OLD, `wamid.F${i}`))).statusCode).toBe(401);
    expect(lambda.reads()).toBe(2);
    lambda.advance(REFRESH_EVERY_MS);
    for (let i = 0; i < 5; i++) expect((await handler(post(OLD, `wamid.G${i}`))).statusCode).toBe(401);
    expect(lambda.reads()).toBe(3);
    expect(lambda.queued).toHaveLength(2);
  });

  it('keeps serving with the secret it has when the read fails, and answers the refusal', async () => {
    const stored = { secret: OLD, fails: false };
    const lambda = rotating(stored);
    const handler = await lambda.handler();
    stored.fails = true;
    lambda.advance(REFRESH_EVERY_MS);
    expect((await handler(post(NEW, 'wamid.FAIL1'))).statusCode).toBe(401);
    expect(lambda.reads()).toBe(2);
    expect((await handler(post(OLD, 'wamid.FAIL2'))).statusCode).toBe(200);
    expect(lambda.queued).toHaveLength(1);
  });
});
