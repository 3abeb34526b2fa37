import { Hono } from 'hono';
import { NotFoundError } from '#shared/errors.js';
import type { AgentAppDeps } from './deps.js';
import type { AgentEnv } from './router.js';

/** `GET /api/outbox`: what the local runtime "sent"; not in the document, since only `npm start` has it. */
export function outboxApp(deps: Pick<AgentAppDeps, 'outbox'>): Hono<AgentEnv> {
  return new Hono<AgentEnv>().get('/outbox', (c) => {
    if (!deps.outbox) throw new NotFoundError('no local outbox: replies go to the providers');
    return c.json({ items: deps.outbox.entries(), cursor: null });
  });
}
