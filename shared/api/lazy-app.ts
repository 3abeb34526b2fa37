import type { Context, Env, Hono } from 'hono';

/**
 * A handler that answers with the app `app` returns, built on the first request that reaches it:
 * routes whose schemas and use cases a cold start need not build until someone calls them.
 */
export function forwardTo<E extends Env>(app: () => Hono<E>) {
  return (c: Context): Response | Promise<Response> => app().fetch(c.req.raw, c.env);
}
