import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const SITE = 'http://shop.example';
const DAY = 24 * 3_600_000;

/**
 * Time moves only when the test says so. A session lasted 30 days from its start, however often the
 * visitor chatted: it now lasts 30 days from its last use (renewed at most once a day, in the table).
 */
describe('local runtime: a web-chat session used now and then', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;
  let visitor: ReturnType<typeof visitorClient>;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET, WEBCHAT_ALLOWED_ORIGINS: SITE },
      manualTime: manual,
    });
    visitor = visitorClient(runtime.url, SITE);
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it.each([
    ['an anonymous visitor', () => ({ email: 'sam@example.com' })],
    [
      'a verified visitor',
      () => ({
        identityToken: identityToken({
          sub: 'renew-1',
          email: 'ren@example.com',
          // A token good for a year: the session ends no later than its exp (webchat-session-end).
          exp: Math.floor(manual.now() / 1000) + 365 * 24 * 3600,
        }),
      }),
    ],
  ])(
    'keeps %s’s session while they chat every 20 days, and ends it 30 days after the last',
    async (_, body) => {
      const started = (await (await visitor.session(body())).json()) as {
        sessionToken: string;
        expiresAt: string;
      };
      expect((await visitor.send(started.sessionToken, 'Hello')).status).toBe(202);
      for (const day of [20, 40, 60]) {
        manual.advance(20 * DAY);
        const answer = await visitor.history(started.sessionToken);
        expect(answer.status).toBe(200);
        const { expiresAt } = (await answer.json()) as { expiresAt: string };
        expect(Date.parse(expiresAt)).toBe(Date.parse(started.expiresAt) + day * DAY);
      }
      expect((await visitor.send(started.sessionToken, 'Still me')).status).toBe(202);
      manual.advance(31 * DAY);
      expect((await visitor.history(started.sessionToken)).status).toBe(401);
    },
  );
});
