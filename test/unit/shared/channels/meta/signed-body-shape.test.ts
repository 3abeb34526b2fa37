import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOGGED_REJECTIONS, MAX_META_ENTRIES, MAX_META_ITEMS } from '#shared/channels/normalised.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { createMetaApp, createWhatsAppApp } from '#shared/local/webhook-apps.js';
import { logger } from '#shared/log.js';

const SECRET = 'test_app_secret';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

/** A route, its `object`, an entry with one good item, and an entry of `n` items that cannot be read. */
const ROUTES = [
  {
    path: '/webhooks/whatsapp',
    object: 'whatsapp_business_account',
    good: {
      id: '1',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
            messages: [
              {
                from: '16505551234',
                id: 'wamid.1',
                timestamp: '1749416383',
                type: 'text',
                text: { body: 'hi' },
              },
            ],
          },
        },
      ],
    },
    bad: (n: number) => ({
      id: '1',
      changes: [{ field: 'messages', value: { statuses: Array(n).fill({ id: 7 }) } }],
    }),
  },
  {
    path: '/webhooks/meta',
    object: 'page',
    good: {
      id: '682498302938465',
      messaging: [
        {
          sender: { id: '1254459154682919' },
          recipient: { id: '682498302938465' },
          timestamp: 1458692752478,
          message: { mid: 'm_1', text: 'hi' },
        },
      ],
    },
    bad: (n: number) => ({ id: '1', messaging: Array(n).fill({ recipient: { id: '1' }, timestamp: 1 }) }),
  },
] as const;

function setup(path: string) {
  const queued: Envelope[] = [];
  const deps = {
    queue: { enqueue: async (envelopes: readonly Envelope[]) => void queued.push(...envelopes) },
    clock: { now: () => new Date('2025-06-08T21:00:00.000Z') },
    appSecret: SECRET,
    verifyToken: 'verify-me',
    maxBodyBytes: 4 * 1024 * 1024,
  };
  const app = path === '/webhooks/meta' ? createMetaApp(deps) : createWhatsAppApp(deps);
  const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
  const post = (payload: unknown) => {
    const body = JSON.stringify(payload);
    return app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
      body,
    });
  };
  return { post, queued, warn };
}

describe.each(ROUTES)('$path: signed bodies that are not all usable', ({ path, object, good, bad }) => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['no entry', { object }],
    ['an entry that is a string', { object, entry: 'x' }],
    ['an entry that is an object', { object, entry: {} }],
    ['another object', { object: 'user', entry: [] }],
  ])('answers 400 with one log line for a body with %s: not the shape Meta sends', async (_, payload) => {
    const { post, queued, warn } = setup(path);
    const res = await post(payload);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect(warn.mock.calls.map(([message]) => message)).toEqual(['request failed']);
    expect(queued).toEqual([]);
  });

  it('answers 200 for a batch of bad items beside a good one, with one line for all the bad ones', async () => {
    const { post, queued, warn } = setup(path);
    const res = await post({ object, entry: [bad(1_500), good, 1] });
    expect(res.status).toBe(200);
    expect(queued).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    const [message, fields] = warn.mock.calls[0] ?? [];
    expect(message).toBe('webhook item rejected');
    expect(fields).toMatchObject({ rejected: 1_501 });
    const first = (fields as { first: { pointer: string; reason: string }[] }).first;
    expect(first).toHaveLength(LOGGED_REJECTIONS);
    expect(first.every(({ pointer, reason }) => pointer.startsWith('/entry/0/') && reason.length > 0)).toBe(
      true,
    );
  });

  it.each([
    ['entries', () => Array(MAX_META_ENTRIES + 1).fill(good)],
    ['items', () => [bad(MAX_META_ITEMS), good]],
  ])(
    'answers 400 with one log line for a batch of more %s than Meta sends, before any item',
    async (_, entry) => {
      const { post, queued, warn } = setup(path);
      const res = await post({ object, entry: entry() });
      expect(res.status).toBe(400);
      expect(warn.mock.calls).toEqual([
        [
          'request failed',
          expect.objectContaining({ status: 400, error: expect.stringMatching(/ over the /) }),
        ],
      ]);
      expect(queued).toEqual([]);
    },
  );
});
