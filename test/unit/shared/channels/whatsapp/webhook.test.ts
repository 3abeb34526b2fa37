import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '#shared/domain/envelope.js';
import { UnavailableError } from '#shared/errors.js';
import { createWhatsAppApp } from '#shared/local/webhook-apps.js';

const SECRET = 'test_app_secret';
// providers.md §4.4: the exact bytes Meta signs, escapes kept.
const RAW =
  '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"J\\u00f6rg"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.TEST","timestamp":"1749416383","type":"text","text":{"body":"h\\u00e4llo \\/ <b>"}}]},"field":"messages"}]}]}';
const VECTOR = 'sha256=9a5c9d1aca4e2ba45cf25664677cc12dc0013185eb267c1ee20aec8414fe0294';

const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function setup(options: { failEnqueue?: boolean; crashEnqueue?: boolean; maxBodyBytes?: number } = {}) {
  const queued: Envelope[] = [];
  const app = createWhatsAppApp({
    queue: {
      enqueue: async (envelopes) => {
        if (options.failEnqueue) throw new UnavailableError('queue refused the batch');
        if (options.crashEnqueue) throw new Error('ENOSPC: no space left on device');
        queued.push(...envelopes);
      },
    },
    clock: { now: () => new Date('2025-06-08T21:00:00.000Z') },
    appSecret: SECRET,
    verifyToken: 'verify-me',
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
  });
  const post = (body: string, signature?: string, contentType = 'application/json') =>
    app.request('/webhooks/whatsapp', {
      method: 'POST',
      headers: { 'content-type': contentType, ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      body,
    });
  return { app, queued, post };
}

describe('WhatsApp webhook', () => {
  it('signs the documented vector as Meta does', () => {
    expect(RAW).toHaveLength(430);
    expect(sign(RAW)).toBe(VECTOR);
  });

  it('enqueues the message and answers 200 for the documented signature', async () => {
    const { post, queued } = setup();
    const res = await post(RAW, VECTOR);
    expect(res.status).toBe(200);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      kind: 'message',
      providerMessageId: 'wamid.TEST',
      customer: { kind: 'phone', value: '+16505551234' },
      text: 'hällo / <b>',
      occurredAt: '2025-06-08T20:59:43.000Z',
      receivedAt: '2025-06-08T21:00:00.000Z',
    });
  });

  it.each([
    ['no signature', undefined],
    ['a signature made with another secret', sign(RAW, 'another_secret')],
    ['the signature of the re-serialised body', sign(JSON.stringify(JSON.parse(RAW)))],
    ['a legacy sha1 header', `sha1=${createHmac('sha1', SECRET).update(RAW).digest('hex')}`],
    ['a truncated signature', VECTOR.slice(0, 40)],
  ])('answers 401 and enqueues nothing for %s', async (_name, signature) => {
    const { post, queued } = setup();
    const res = await post(RAW, signature);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: 'unauthorized', message: 'invalid or missing X-Hub-Signature-256' },
    });
    expect(queued).toEqual([]);
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    const { post, queued } = setup();
    const body = 'hub.mode=subscribe&oops';
    const res = await post(body, sign(body), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
    expect(queued).toEqual([]);
  });

  it('answers 413 for a body over the limit, before reading the signature', async () => {
    const { post, queued } = setup({ maxBodyBytes: 1024 });
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(2000) });
    const res = await post(body, sign(body));
    expect(res.status).toBe(413);
    expect(queued).toEqual([]);
  });

  it('answers 503 when the queue refuses the envelopes, so Meta retries', async () => {
    const { post } = setup({ failEnqueue: true });
    const res = await post(RAW, VECTOR);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  });

  it('answers 503, not 500, when the queue fails in a way it did not foresee', async () => {
    const { post } = setup({ crashEnqueue: true });
    const res = await post(RAW, VECTOR);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  });

  it('answers the verification handshake with the challenge', async () => {
    const { app } = setup();
    const ok = await app.request(
      '/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me',
    );
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
  });

  it.each([
    ['a wrong token', 'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope'],
    ['mode unsubscribe', 'hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=verify-me'],
    ['no parameters', ''],
  ])('answers 403 to a handshake with %s', async (_name, query) => {
    const { app } = setup();
    expect((await app.request(`/webhooks/whatsapp?${query}`)).status).toBe(403);
  });
});
