import { createMiddleware } from 'hono/factory';
import { ForbiddenError } from '#shared/errors.js';
import type { AgentEnv } from './router.js';

/**
 * Lets only admins through: anyone else gets 403 `forbidden` before the route reads its body or
 * touches anything. On the routes that export, erase, merge or unmerge customers and read the audit log.
 */
export const requireAdmin = createMiddleware<AgentEnv>(async (c, next) => {
  if (!c.get('admin')) throw new ForbiddenError('only admins may make this call');
  await next();
});
