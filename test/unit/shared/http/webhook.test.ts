import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { ConflictError, ValidationError } from '#shared/errors.js';
import { onError } from '#shared/http/on-error.js';
import { createWebhook, queryOf, text, type WebhookRequest } from '#shared/http/webhook.js';
import { webhookApp } from '#shared/http/webhook-hono.js';
import { logger } from '#shared/log.js';

describe('createWebhook', () => {
  function echoWebhook(maxBodyBytes = 16) {
    const seen: WebhookRequest[] = [];
    const webhook = createWebhook(
      [
        {
          method: 'POST',
          path: '/hook',
          handle(req) {
            seen.push(req);
            const body = new TextDecoder().decode(req.body);
            if (body === 'conflict') throw new ConflictError('already there');
            if (body === 'invalid') throw new ValidationError('bad body');
            if (body === 'bug') throw new TypeError('secret detail +14155550100');
            return text(200, `got ${body}`);
          },
        },
      ],
      maxBodyBytes,
    );
    const request = (req: Partial<WebhookRequest> & { body?: Uint8Array }) =>
      webhook.handle({
        method: 'POST',
        path: '/hook',
        url: 'https://x/hook',
        header: () => undefined,
        body: new Uint8Array(),
        ...req,
      });
    return { webhook, seen, request };
  }
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('answers the route, and 404 for another path or method', async () => {
    const { request } = echoWebhook();
    expect(await request({ body: bytes('hi') })).toEqual({
      status: 200,
      contentType: 'text/plain; charset=UTF-8',
      body: 'got hi',
    });
    for (const other of [{ path: '/other' }, { method: 'GET' }, { path: '/hook/' }]) {
      const res = await request(other);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body ?? '')).toEqual({ error: { code: 'not_found', message: 'no such route' } });
    }
  });

  it('refuses a body over the limit with 413 before the route sees it', async () => {
    const { request, seen } = echoWebhook(16);
    const res = await request({ body: new Uint8Array(17) });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body ?? '').error.code).toBe('payload_too_large');
    expect(seen).toHaveLength(0);
    expect((await request({ body: new Uint8Array(16) })).status).toBe(200);
  });

  it('maps our errors to their status and code, and anything else to a generic 500', async () => {
    const { request } = echoWebhook();
    const conflict = await request({ body: bytes('conflict') });
    expect(conflict.status).toBe(409);
    expect(JSON.parse(conflict.body ?? '')).toEqual({
      error: { code: 'conflict', message: 'already there' },
    });
    expect((await request({ body: bytes('invalid') })).status).toBe(400);
    const bug = await request({ body: bytes('bug') });
    expect(bug.status).toBe(500);
    expect(bug.body).not.toContain('14155550100');
    expect(JSON.parse(bug.body ?? '')).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });

  it('reads the query keeping the first of repeated names', () => {
    expect(queryOf('https://x/h?a=1&b=two%20words&a=3')).toEqual({ a: '1', b: 'two words' });
    expect(queryOf('https://x/h')).toEqual({});
  });
});

// The local runtime mounts every webhook and then apps with wildcard middleware on one server: a body
// over the limit was logged with the last route matched, `/*`, not the webhook's.
describe('webhookApp: a body over the limit', () => {
  it("is logged with the webhook's route, whatever is mounted after it", async () => {
    const webhook = createWebhook(
      [{ method: 'POST', path: '/webhooks/whatsapp', handle: () => text(200, 'ok') }],
      16,
    );
    const root = new Hono();
    root.onError(onError);
    root.route('/', webhookApp(webhook));
    root.use('/*', async (_c, next) => next());
    root.post('/api/other', (c) => c.text('other'));
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      const res = await root.request('/webhooks/whatsapp', { method: 'POST', body: 'x'.repeat(17) });
      expect(res.status).toBe(413);
      expect(warn.mock.calls).toEqual([
        ['request failed', expect.objectContaining({ route: '/webhooks/whatsapp', status: 413 })],
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
