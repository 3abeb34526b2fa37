import { Hono } from 'hono';
import type { Clock } from '#shared/domain/ports.js';
import { notFoundOrNotAllowed } from '#shared/http/on-error.js';
import { errorFields, logger } from '#shared/log.js';

/** What `GET /api/health` answers: whether the table answered the last probe. */
export interface HealthAnswer {
  ok: boolean;
  checks: { table: 'ok' | 'unreachable' };
}

/** How long a probe's answer is served again: a monitor (or a flood) costs one read per period an instance. */
export const HEALTH_KEEP_MS = 10_000;

/**
 * The health answer of `probe` (see probeTable), kept HEALTH_KEEP_MS by `clock`: calls meanwhile, and
 * calls while a probe is under way, share it. A failed probe logs one line with the error's name.
 */
export function healthCheck(probe: () => Promise<void>, clock: Clock): () => Promise<HealthAnswer> {
  let kept: { at: number; answer: Promise<HealthAnswer> } | undefined;
  const run = async (): Promise<HealthAnswer> => {
    try {
      await probe();
      return { ok: true, checks: { table: 'ok' } };
    } catch (error) {
      logger.error('health check: the table did not answer', errorFields(error));
      return { ok: false, checks: { table: 'unreachable' } };
    }
  };
  return () => {
    const now = clock.now().getTime();
    if (!kept || now - kept.at >= HEALTH_KEEP_MS || now < kept.at) kept = { at: now, answer: run() };
    return kept.answer;
  };
}

/**
 * `GET /api/health` (and HEAD): no token, for uptime monitors and load balancers. 200 when the table
 * answers, else 503; the body names what was checked, never an error's text. Not cached by anyone.
 */
export function healthApp(check: () => Promise<HealthAnswer>): Hono {
  const app = new Hono();
  app.get('/api/health', async (c) => {
    const answer = await check();
    c.header('Cache-Control', 'no-store');
    return c.json(answer, answer.ok ? 200 : 503);
  });
  // Another method is a 405 naming GET and HEAD, not the token guard's 401.
  return app.all('/api/health', notFoundOrNotAllowed(app));
}
