import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const SITE = 'http://shop.example';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Started = { sessionToken: string; expiresAt: string };

/**
 * A signed-in visitor's session is the site's word that they are its user: it lasts no longer than the
 * identity token that started it, and `DELETE /webchat/sessions` ends any session at once (the site's
 * sign-out), its live socket too. QA: a token with `exp` 5 s ahead made a session of 30 days, renewed
 * on each use, that read the customer's whole history long after, and nothing could end it.
 */
describe('local runtime: when a web-chat session ends', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;
  let visitor: ReturnType<typeof visitorClient>;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      webchatLive: true,
      env: { WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET, WEBCHAT_ALLOWED_ORIGINS: SITE },
      manualTime: manual,
    });
    visitor = visitorClient(runtime.url, SITE);
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const start = async (body: Record<string, unknown>) => {
    const res = await visitor.session(body);
    expect(res.status).toBe(201);
    return (await res.json()) as Started;
  };
  const end = (token?: string) =>
    fetch(`${runtime.url}/webchat/sessions`, {
      method: 'DELETE',
      headers: { origin: SITE, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  /** A visitor's socket, open, and a promise of its close code. */
  const socketOf = async (token: string) => {
    const socket = new WebSocket(`${runtime.url.replace('http', 'ws')}/webchat/live?session=${token}`);
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => socket.once('open', resolve));
    return { socket, closed };
  };
  const signedIn = (sub: string, seconds: number) =>
    identityToken({ sub, email: `${sub}@example.com`, exp: Math.floor(manual.now() / 1000) + seconds });

  it("ends a signed-in visitor's session at their identity token's exp, however often it is used", async () => {
    const exp = Math.floor(manual.now() / 1000) + 600;
    const started = await start({ identityToken: signedIn('ends-1', 600) });
    expect(Date.parse(started.expiresAt)).toBe(exp * 1000);
    expect((await visitor.send(started.sessionToken, 'Hello')).status).toBe(202);
    manual.advance(9 * MINUTE);
    const used = await visitor.history(started.sessionToken);
    expect(used.status).toBe(200);
    expect(((await used.json()) as { expiresAt: string }).expiresAt).toBe(started.expiresAt);
    const { socket, closed } = await socketOf(started.sessionToken);

    manual.advance(2 * MINUTE);
    expect((await visitor.history(started.sessionToken)).status).toBe(401);
    expect((await visitor.send(started.sessionToken, 'Still me?')).status).toBe(401);
    // The socket opened before the exp closes at its next heartbeat.
    socket.send('{"type":"ping"}');
    expect(await closed).toBe(4401);
    // The page's fresh token starts a new session.
    expect(
      (await visitor.history((await start({ identityToken: signedIn('ends-1', 3600) })).sessionToken)).status,
    ).toBe(200);
  }, 30_000);

  it('keeps a signed-in session of a long-lived token for 30 days from its last use, never past the exp', async () => {
    const started = await start({ identityToken: signedIn('ends-2', 45 * 24 * 3600) });
    expect(Date.parse(started.expiresAt)).toBe(manual.now() + 30 * DAY);
    manual.advance(20 * DAY);
    const { expiresAt } = (await (await visitor.history(started.sessionToken)).json()) as Started;
    expect(Date.parse(expiresAt)).toBe(Date.parse(started.expiresAt) + 15 * DAY);
    manual.advance(25 * DAY + MINUTE);
    expect((await visitor.history(started.sessionToken)).status).toBe(401);
  });

  it.each([
    ['a signed-in visitor', () => ({ identityToken: signedIn('ends-3', 3600) })],
    ['an anonymous visitor', () => ({ name: 'Ann' })],
  ])("ends %s's session on DELETE /webchat/sessions, and closes its socket", async (_, body) => {
    const startKey = `${'E'.repeat(42)}${'name' in body() ? 'a' : 'v'}`;
    const started = await start({ ...body(), startKey });
    const { closed } = await socketOf(started.sessionToken);
    expect((await end(started.sessionToken)).status).toBe(204);
    expect(await closed).toBe(4401);
    expect((await visitor.history(started.sessionToken)).status).toBe(401);
    expect((await visitor.send(started.sessionToken, 'Hello?')).status).toBe(401);
    // Ending twice is ending once; without a session token it is 401.
    expect((await end(started.sessionToken)).status).toBe(204);
    expect((await end()).status).toBe(401);
    // Its start key is spent: it would make the ended session again.
    expect((await visitor.session({ ...body(), startKey })).status).toBe(409);
  });
});
