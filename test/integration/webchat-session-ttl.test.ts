import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { visitorClient } from '../support/webchat.js';

const SITE = 'http://shop.example';
const MINUTE = 60_000;

/**
 * WEBCHAT_SESSION_TTL shortens a session's idle lifetime (a clinic's kiosk: an hour, not 30 days). Time
 * moves only when the test says so.
 */
describe('local runtime: web-chat sessions under WEBCHAT_SESSION_TTL=PT1H', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;
  let visitor: ReturnType<typeof visitorClient>;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { WEBCHAT_ALLOWED_ORIGINS: SITE, WEBCHAT_SESSION_TTL: 'PT1H' },
      manualTime: manual,
    });
    visitor = visitorClient(runtime.url, SITE);
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('keeps an anonymous session while the visitor chats, and ends it an hour after their last use', async () => {
    const startedAt = manual.now();
    const started = (await (await visitor.session({ name: 'Kiosk' })).json()) as {
      sessionToken: string;
      expiresAt: string;
    };
    expect(Date.parse(started.expiresAt)).toBe(startedAt + 60 * MINUTE);
    expect((await visitor.send(started.sessionToken, 'Hello')).status).toBe(202);
    // Renewed on use (at most every quarter of the lifetime, 15 minutes): 40 minutes apart, 3 times.
    for (const step of [1, 2, 3]) {
      manual.advance(40 * MINUTE);
      const answer = await visitor.history(started.sessionToken);
      expect(answer.status).toBe(200);
      const { expiresAt } = (await answer.json()) as { expiresAt: string };
      expect(Date.parse(expiresAt)).toBe(startedAt + step * 40 * MINUTE + 60 * MINUTE);
    }
    manual.advance(61 * MINUTE);
    expect((await visitor.history(started.sessionToken)).status).toBe(401);
    expect((await visitor.send(started.sessionToken, 'Still me?')).status).toBe(401);
  });
});
