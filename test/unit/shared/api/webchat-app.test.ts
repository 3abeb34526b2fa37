import { describe, expect, it, vi } from 'vitest';
import { REFUSED_ORIGINS_LOGGED } from '#shared/api/webchat/refused-origins.js';
import { logger } from '#shared/log.js';
import { webchatRoutes as app, SITE } from '../../../support/webchat-routes.js';

describe('the web-chat routes', () => {
  it('answers CORS only for the allowed origins', async () => {
    const { web } = app();
    const preflight = (origin: string) =>
      web.request('/webchat/sessions', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    expect((await preflight(SITE)).headers.get('access-control-allow-origin')).toBe(SITE);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('logs an origin it refuses once per origin, naming WEBCHAT_ALLOWED_ORIGINS, and remembers a bounded number', async () => {
    // Before, the browser blocked the widget on the business's own site and the server said nothing.
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      const { web } = app();
      const from = (origin: string) =>
        web.request('http://127.0.0.1:3000/webchat/availability', { headers: { origin } });
      await from('https://shop-site.example');
      await from('https://shop-site.example');
      await from(SITE);
      await from('http://127.0.0.1:3000'); // the demo page, served by the runtime itself
      await web.request('http://127.0.0.1:3000/webchat/availability');
      expect(warn).toHaveBeenCalledTimes(1);
      const [message, fields] = warn.mock.calls[0] as [string, Record<string, unknown>];
      expect(message).toContain('WEBCHAT_ALLOWED_ORIGINS');
      expect(fields).toMatchObject({ origin: 'https://shop-site.example', allowedOrigins: [SITE] });
      for (let i = 0; i < REFUSED_ORIGINS_LOGGED + 50; i++) await from(`https://site-${i}.example`);
      // One line per origin up to the bound, one line saying the rest go unlogged, then nothing.
      expect(warn).toHaveBeenCalledTimes(REFUSED_ORIGINS_LOGGED + 1);
      expect(String(warn.mock.calls.at(-1)?.[0])).toMatch(/no more refused origins are logged/);
    } finally {
      warn.mockRestore();
    }
  });

  // QA (repro-6): the session's token and the visitor's history went out cacheable and sniffable,
  // unlike every /api answer; and no answer set Strict-Transport-Security.
  it('answers every web-chat call uncached, unsniffed and https-only, a refusal too', async () => {
    const { web, post } = app();
    const started = await post('/webchat/sessions', '{"name":"Hdr"}', { origin: SITE });
    const { sessionToken } = (await started.clone().json()) as { sessionToken: string };
    const history = await web.request('/webchat/messages', {
      headers: { authorization: `Bearer ${sessionToken}`, origin: SITE },
    });
    const refused = await web.request('/webchat/messages');
    expect([started.status, history.status, refused.status]).toEqual([201, 200, 401]);
    for (const res of [started, history, refused]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    }
    // A route that chose its caching keeps it: the opening hours, a minute.
    const hours = await web.request('/webchat/availability');
    expect(hours.headers.get('cache-control')).toBe('max-age=60');
    expect(hours.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('starts an anonymous session, and refuses identity tokens when no secret is set', async () => {
    const { post } = app();
    const started = await post('/webchat/sessions', '{}');
    expect(started.status).toBe(201);
    expect(await started.json()).toMatchObject({ verified: false, availability: { open: true } });
    expect((await post('/webchat/sessions', '{"identityToken":"a.b.c"}')).status).toBe(401);
  });

  it.each([
    ['not JSON', '{', 400],
    ['not UTF-8', '\uFFFF', 400],
    ['an unknown field', '{"text":"hi","clientMessageId":"abcdefgh","admin":true}', 400],
    ['a number for text', '{"text":5,"clientMessageId":"abcdefgh"}', 400],
    ['a short client id', '{"text":"hi","clientMessageId":"a"}', 400],
    ['a client id with slashes', '{"text":"hi","clientMessageId":"../../etc/pw"}', 400],
    ['text over the cap', JSON.stringify({ text: 'x'.repeat(4001), clientMessageId: 'abcdefgh' }), 400],
    ['a body over 16 KiB', JSON.stringify({ text: 'x'.repeat(17_000), clientMessageId: 'abcdefgh' }), 413],
  ])('refuses %s with %i, and queues nothing', async (_, body, status) => {
    const { post, queued } = app();
    const { sessionToken } = (await (await post('/webchat/sessions', '{}')).json()) as {
      sessionToken: string;
    };
    const res = await post('/webchat/messages', body, { authorization: `Bearer ${sessionToken}` });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBeTruthy();
    expect(queued).toEqual([]);
  });

  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['', 415],
    ['application/json; charset=utf-8', 202],
    ['Application/JSON', 202],
  ])('answers a message sent as %j with %i (the widget sends application/json)', async (type, status) => {
    const { post, queued } = app();
    const { sessionToken } = (await (await post('/webchat/sessions', '{}')).json()) as {
      sessionToken: string;
    };
    const res = await post('/webchat/messages', '{"text":"hi","clientMessageId":"abcdefgh"}', {
      authorization: `Bearer ${sessionToken}`,
      'content-type': type,
    });
    expect(res.status).toBe(status);
    if (status === 415) {
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
      expect(queued).toEqual([]);
    }
  });

  it('queues a visitor’s lone surrogates as U+FFFD, as the body is read: the message and its page', async () => {
    const { post, queued } = app();
    const { sessionToken } = (await (await post('/webchat/sessions', '{"name":"Vera \\udfff"}')).json()) as {
      sessionToken: string;
    };
    const body = `{"text":"\\ud800 hello","clientMessageId":"abcdefgh","page":"${SITE}/a\\udc00"}`;
    expect((await post('/webchat/messages', body, { authorization: `Bearer ${sessionToken}` })).status).toBe(
      202,
    );
    expect(queued[0]).toMatchObject({ text: '\ufffd hello' });
    expect(JSON.stringify(queued).match(/\\ud[89a-f]/gi)).toBeNull();
  });

  it.each([
    ['a zero-width space', '\u200b'],
    ['blanks', ' \u00a0\u3000 '],
    ['nothing', ''],
    ['a NUL', '\u0000'],
  ])('refuses a message of %s with 400 "text is empty", and queues nothing', async (_, text) => {
    const { post, queued } = app();
    const { sessionToken } = (await (await post('/webchat/sessions', '{}')).json()) as {
      sessionToken: string;
    };
    const body = JSON.stringify({ text, clientMessageId: 'abcdefgh' });
    const res = await post('/webchat/messages', body, { authorization: `Bearer ${sessionToken}` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toEqual({
      code: 'invalid_request',
      message: 'text: text is empty',
    });
    expect(queued).toEqual([]);
  });

  it('takes control characters out of a message and its pre-chat name, and bidi overrides out of the name', async () => {
    const { post, queued } = app();
    const name = JSON.stringify({ name: '\u202eevil\u202c Name\u0000' });
    const { sessionToken } = (await (await post('/webchat/sessions', name)).json()) as {
      sessionToken: string;
    };
    const body = JSON.stringify({ text: 'a\u0000b\u0007 \u200fשלום', clientMessageId: 'abcdefgh' });
    expect((await post('/webchat/messages', body, { authorization: `Bearer ${sessionToken}` })).status).toBe(
      202,
    );
    expect(queued[0]).toMatchObject({ text: 'ab \u200fשלום', profileName: 'evil Name' });
  });

  it('refuses a session start or a read receipt not sent as JSON with 415', async () => {
    const { post } = app();
    const plain = { 'content-type': 'text/plain' };
    expect((await post('/webchat/sessions', '{}', plain)).status).toBe(415);
    const { sessionToken } = (await (await post('/webchat/sessions', '{}')).json()) as {
      sessionToken: string;
    };
    const read = await post('/webchat/read', '{"messageIds":["x"]}', {
      ...plain,
      authorization: `Bearer ${sessionToken}`,
    });
    expect(read.status).toBe(415);
  });

  it('refuses a missing or unknown session with 401 before reading the body', async () => {
    const { post, web, queued } = app();
    expect((await post('/webchat/messages', '{')).status).toBe(401);
    expect(
      (
        await post('/webchat/messages', '{"text":"hi","clientMessageId":"abcdefgh"}', {
          authorization: `Bearer wcs_${'A'.repeat(43)}`,
        })
      ).status,
    ).toBe(401);
    expect((await web.request('/webchat/messages')).status).toBe(401);
    expect(queued).toEqual([]);
  });

  it("answers a retried clientMessageId with the first send's id and `at`, and another text under it with 409", async () => {
    const { post, queued, later } = app();
    const { sessionToken } = (await (await post('/webchat/sessions', '{}')).json()) as {
      sessionToken: string;
    };
    const send = (text: string) =>
      post('/webchat/messages', JSON.stringify({ text, clientMessageId: 'retry-me-1' }), {
        authorization: `Bearer ${sessionToken}`,
      });
    const first = await send('Where is my order?');
    later(5_000);
    const again = await send('Where is my order?');
    expect([first.status, again.status]).toEqual([202, 202]);
    const [a, b] = [await first.json(), await again.json()];
    expect(b).toEqual(a);
    expect((a as { at: string }).at).toBe('2026-12-03T12:00:00.000Z');
    // The resolver has not met it: the retry queues the same envelope again, in case the first was lost.
    expect(queued.map((e) => [e.id, e.occurredAt])).toEqual([
      [queued[0]?.id, '2026-12-03T12:00:00.000Z'],
      [queued[0]?.id, '2026-12-03T12:00:00.000Z'],
    ]);
    const other = await send('Another question');
    expect(other.status).toBe(409);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('conflict');
    expect(queued).toHaveLength(2);
  });

  it('checks the session header of a read receipt before its body', async () => {
    const { post } = app();
    expect((await post('/webchat/read', '{')).status).toBe(401);
    expect((await post('/webchat/read', '{"messageIds":5}')).status).toBe(401);
    const { sessionToken } = (await (await post('/webchat/sessions', '{}')).json()) as {
      sessionToken: string;
    };
    const authorization = `Bearer ${sessionToken}`;
    expect((await post('/webchat/read', '{', { authorization })).status).toBe(400);
    expect((await post('/webchat/read', '{"messageIds":["reply:x"]}', { authorization })).status).toBe(200);
  });

  it('limits a session to 20 messages a minute, with Retry-After that the site’s page may read', async () => {
    const { post, queued } = app();
    const { sessionToken } = (await (await post('/webchat/sessions', '{}')).json()) as {
      sessionToken: string;
    };
    const send = (i: number) =>
      post('/webchat/messages', JSON.stringify({ text: 'hi', clientMessageId: `message-${i}` }), {
        authorization: `Bearer ${sessionToken}`,
        origin: SITE,
      });
    for (let i = 0; i < 20; i++) expect((await send(i)).status).toBe(202);
    const over = await send(20);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('60');
    expect(over.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(over.headers.get('access-control-expose-headers')).toBe('Retry-After');
    expect(queued).toHaveLength(20);
  });

  it('renews a session on use at most once a day, so a visitor who chats every few weeks keeps it', async () => {
    const { web, post, later, renewals } = app();
    const DAY = 24 * 3_600_000;
    const started = (await (await post('/webchat/sessions', '{}')).json()) as {
      sessionToken: string;
      expiresAt: string;
    };
    const authorization = `Bearer ${started.sessionToken}`;
    const history = () => web.request('/webchat/messages', { headers: { authorization } });
    // Every 20 days for 100 days: past the 30 days a session lasted from its start.
    for (let day = 20; day <= 100; day += 20) {
      later(20 * DAY);
      const answer = await history();
      expect(answer.status).toBe(200);
      const { expiresAt } = (await answer.json()) as { expiresAt: string };
      expect(Date.parse(expiresAt)).toBe(Date.parse(started.expiresAt) + day * DAY);
    }
    // Used again and again the same day: no more writes.
    for (let i = 0; i < 5; i++) {
      later(60_000);
      expect((await history()).status).toBe(200);
    }
    expect(renewals).toHaveLength(5);
    // Unused for 30 days after its last use: gone.
    later(30 * DAY);
    expect((await history()).status).toBe(401);
  });

  it('makes one session of two starts with the same start key (two tabs at once), and another for another key', async () => {
    const { post } = app();
    const startKey = 'k'.repeat(43);
    const [first, second] = await Promise.all(
      ['{"name":"Tab one"}', '{"name":"Tab two"}'].map(async (body) => {
        const answer = await post('/webchat/sessions', JSON.stringify({ ...JSON.parse(body), startKey }));
        expect(answer.status).toBe(201);
        return (await answer.json()) as { sessionToken: string; name?: string };
      }),
    );
    expect(second?.sessionToken).toBe(first?.sessionToken);
    expect(second?.name).toBe(first?.name);
    const other = (await (
      await post('/webchat/sessions', JSON.stringify({ startKey: 'j'.repeat(43) }))
    ).json()) as {
      sessionToken: string;
    };
    expect(other.sessionToken).not.toBe(first?.sessionToken);
    expect((await post('/webchat/sessions', '{"startKey":"short"}')).status).toBe(400);
  });
});
