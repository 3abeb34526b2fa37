import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '#shared/domain/envelope.js';
import { UnavailableError } from '#shared/errors.js';
import { createMetaApp } from '#shared/local/webhook-apps.js';
import { logger } from '#shared/log.js';

const SECRET = 'test_app_secret';
const FIXTURES = new URL('../../../../fixtures/meta/', import.meta.url);
// Compact bytes with Meta's escapes kept (`\u00e4`, `\/`): re-serialising them changes the bytes.
const RAW =
  '{"object":"page","entry":[{"id":"682498302938465","time":1458692752600,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"682498302938465"},"timestamp":1458692752478,"message":{"mid":"m_TEST","text":"h\\u00e4llo \\/ <b>"}}]}]}';

const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const fixtureText = (name: string) => readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8');

function setup(options: { failEnqueue?: boolean; maxBodyBytes?: number } = {}) {
  const queued: Envelope[] = [];
  let enqueueCalls = 0;
  const app = createMetaApp({
    queue: {
      enqueue: async (envelopes) => {
        enqueueCalls += 1;
        if (options.failEnqueue) throw new UnavailableError('queue refused the batch');
        queued.push(...envelopes);
      },
    },
    clock: { now: () => new Date('2026-06-01T12:00:00.000Z') },
    appSecret: SECRET,
    verifyToken: 'verify-me',
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
  });
  const post = (body: string, signature?: string, contentType = 'application/json') =>
    app.request('/webhooks/meta', {
      method: 'POST',
      headers: { 'content-type': contentType, ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      body,
    });
  return { app, queued, post, enqueueCalls: () => enqueueCalls };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Messenger and Instagram webhook', () => {
  it('enqueues a signed Messenger message and answers 200 EVENT_RECEIVED', async () => {
    const { post, queued } = setup();
    const res = await post(RAW, sign(RAW));
    expect([res.status, await res.text()]).toEqual([200, 'EVENT_RECEIVED']);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      id: 'messenger:msg:m_TEST',
      provider: 'meta',
      channel: 'messenger',
      customer: { kind: 'messenger', value: '682498302938465:1254459154682919' },
      text: 'hällo / <b>',
      occurredAt: '2016-03-23T00:25:52.478Z',
      receivedAt: '2026-06-01T12:00:00.000Z',
    });
  });

  it('enqueues Instagram events from the same route', async () => {
    const { post, queued } = setup();
    const body = fixtureText('instagram_text');
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    expect(queued.map((e) => [e.channel, e.kind])).toEqual([['instagram', 'message']]);
  });

  it.each([
    ['no signature', undefined],
    ['a signature made with another secret', sign(RAW, 'another_secret')],
    ['the signature of the re-serialised body', sign(JSON.stringify(JSON.parse(RAW)))],
    ['a legacy sha1 header', `sha1=${createHmac('sha1', SECRET).update(RAW).digest('hex')}`],
    ['an upper-case hex signature', sign(RAW).toUpperCase()],
  ])('answers 401 and never touches the queue for %s', async (_name, signature) => {
    const { post, queued, enqueueCalls } = setup();
    const res = await post(RAW, signature);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: 'unauthorized', message: 'invalid or missing X-Hub-Signature-256' },
    });
    expect(queued).toEqual([]);
    expect(enqueueCalls()).toBe(0);
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    const { post, enqueueCalls } = setup();
    const body = 'object=page&entry=';
    const res = await post(body, sign(body), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
    expect(enqueueCalls()).toBe(0);
  });

  it('answers 400 for a signed body of another Meta object', async () => {
    const { post, enqueueCalls } = setup();
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const res = await post(body, sign(body));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_request', message: 'not a Messenger or Instagram webhook' },
    });
    expect(enqueueCalls()).toBe(0);
  });

  it('answers 413 for a body over the limit, before reading the signature', async () => {
    const { post, enqueueCalls } = setup({ maxBodyBytes: 1024 });
    const body = JSON.stringify({ object: 'page', entry: [], pad: 'x'.repeat(2000) });
    const res = await post(body, sign(body));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect(enqueueCalls()).toBe(0);
  });

  it('answers 503 when the queue refuses the envelopes, so Meta retries', async () => {
    const { post } = setup({ failEnqueue: true });
    const res = await post(RAW, sign(RAW));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  });

  it('answers 200 for a batch with a rejected event, enqueues the rest and logs only pointer and reason', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const { post, queued } = setup();
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '682498302938465',
          messaging: [
            {
              recipient: { id: '682498302938465' },
              timestamp: 1458692752478,
              message: { mid: 'm_1', text: 'secret' },
            },
            JSON.parse(RAW).entry[0].messaging[0],
          ],
        },
      ],
    });
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    expect(queued.map((e) => e.id)).toEqual(['messenger:msg:m_TEST']);
    expect(warn).toHaveBeenCalledWith('webhook item rejected', {
      provider: 'meta',
      bodySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      rejected: 1,
      first: [{ pointer: '/entry/0/messaging/0', reason: 'no person id (sender.id or recipient.id)' }],
    });
    expect(JSON.stringify(warn.mock.calls)).not.toContain('secret');
  });

  it('answers the verification handshake with the challenge', async () => {
    const { app } = setup();
    const ok = await app.request(
      '/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me',
    );
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
  });

  it.each([
    ['a wrong token', 'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope'],
    ['mode unsubscribe', 'hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=verify-me'],
    [
      'a challenge that is not a token',
      'hub.mode=subscribe&hub.challenge=%3Cscript%3E&hub.verify_token=verify-me',
    ],
    ['no parameters', ''],
  ])('answers 403 to a handshake with %s', async (_name, query) => {
    const { app } = setup();
    expect((await app.request(`/webhooks/meta?${query}`)).status).toBe(403);
  });
});
