import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#shared/log.js';
import { identityToken, WEBCHAT_SECRET } from '../../../support/webchat.js';
import { webchatRoutes } from '../../../support/webchat-routes.js';

/**
 * What the widget learns from the routes and tells them beyond the chat itself: whether a reply may be
 * emailed (WEBCHAT_EMAIL_FALLBACK_DELAY=off: it must promise no email), and the page's language, kept
 * on the message as the conversation's hint only when it names a language (else left out, logged).
 */
describe('the web-chat routes and the page the widget is on', () => {
  afterEach(() => vi.restoreAllMocks());

  /** A session of `routes` and a send of `extra` beside a message's text: its status and what was queued. */
  const send = async (routes: ReturnType<typeof webchatRoutes>, extra: Record<string, unknown>) => {
    const { sessionToken } = (await (await routes.post('/webchat/sessions', '{}')).json()) as {
      sessionToken: string;
    };
    const body = JSON.stringify({ text: 'hi', clientMessageId: `abcdefgh${routes.queued.length}`, ...extra });
    const res = await routes.post('/webchat/messages', body, { authorization: `Bearer ${sessionToken}` });
    const queued = routes.queued.at(-1);
    return { status: res.status, data: queued && 'data' in queued ? queued.data : undefined };
  };

  it('says no reply is emailed when the fallback is off, in the session and the availability answers', async () => {
    const off = webchatRoutes({ emailFallback: false });
    const started = (await (await off.post('/webchat/sessions', '{}')).json()) as { availability: object };
    expect(started.availability).toEqual({ open: true, emailFallback: false });
    expect(await (await off.web.request('/webchat/availability')).json()).toEqual({
      open: true,
      emailFallback: false,
    });
    // On (the default), the answers are as before.
    const on = webchatRoutes();
    expect(await (await on.web.request('/webchat/availability')).json()).toEqual({ open: true });
  });

  it.each([
    ['has no email claim', {}, { open: true, emailFallback: false }],
    [
      'says its email is not verified',
      { email: 'una@example.com', email_verified: false },
      { open: true, emailFallback: false },
    ],
    ['has a verified email', { email: 'vic@example.com' }, { open: true }],
  ])(
    'says in the session whether a reply is emailed when the token %s (the fallback emails only a verified one)',
    async (_, claims, availability) => {
      const routes = webchatRoutes({ identitySecret: WEBCHAT_SECRET });
      const body = JSON.stringify({ identityToken: identityToken({ sub: 'hints-unit-1', ...claims }) });
      const started = (await (await routes.post('/webchat/sessions', body)).json()) as {
        availability: object;
      };
      expect(started.availability).toEqual(availability);
    },
  );

  it.each([
    ['fr', 'fr'],
    ['fr-CA', 'fr'],
    ['EN-us', 'en'],
    ['zh-Hant-TW', 'zh'],
  ])('keeps the page language %j on the message as %j', async (lang, kept) => {
    const { status, data } = await send(webchatRoutes(), { lang });
    expect(status).toBe(202);
    expect(data?.lang).toBe(kept);
  });

  it.each([
    ['not a tag', 'français', 'invalid'],
    ['a script', '<script>', 'invalid'],
    ['a private-use tag', 'x-klingon', 'invalid'],
    ['an empty tag', '', 'invalid'],
    ['a tag over 35 characters', `fr-${'abcdefgh-'.repeat(4)}x`, 'invalid'],
    ['an unknown language', 'xx', 'unknown'],
    ['undetermined', 'und', 'unknown'],
    ['no linguistic content', 'zxx', 'unknown'],
  ])('takes the message but leaves out %s, with a log line', async (_, lang, reason) => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const { status, data } = await send(webchatRoutes(), { lang });
    expect(status).toBe(202);
    expect(data?.lang).toBeUndefined();
    expect(info).toHaveBeenCalledWith('web-chat page language not kept', { reason });
  });

  it('refuses a lang over 100 characters or not a string with 400, and queues nothing', async () => {
    const routes = webchatRoutes();
    expect((await send(routes, { lang: 'a'.repeat(101) })).status).toBe(400);
    expect((await send(routes, { lang: 5 })).status).toBe(400);
    expect(routes.queued).toEqual([]);
  });
});
