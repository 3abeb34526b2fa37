import { Hono } from 'hono';
import { NotFoundError } from '#shared/errors.js';
import { requireAdmin } from './admin-only.js';
import type { AgentAppDeps } from './deps.js';
import type { AgentEnv } from './router.js';

/**
 * `GET /api/outbox`: what the local runtime "sent"; not in the document, since only `npm start` has it.
 * Admins only (403 `forbidden` for an agent): it holds every customer's outgoing messages at once.
 */
export function outboxApp(deps: Pick<AgentAppDeps, 'outbox'>): Hono<AgentEnv> {
  return new Hono<AgentEnv>().get('/outbox', requireAdmin, (c) => {
    if (!deps.outbox) throw new NotFoundError('no local outbox: replies go to the providers');
    return c.json({ items: deps.outbox.entries(), cursor: null });
  });
}
