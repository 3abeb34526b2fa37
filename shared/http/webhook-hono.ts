import { Hono, type MiddlewareHandler } from 'hono';
import { limitBody } from './body-limit.js';
import { notFound, onError, ROUTE_KEY } from './on-error.js';
import type { Webhook } from './webhook.js';

/**
 * A webhook as a Hono app, for the local runtime and tests: each route is mounted at its own path (so
 * several webhooks share one server), the body is read under the limit (413 without buffering an
 * oversized stream), and the same `Webhook.handle` answers as on Lambda.
 */
export function webhookApp(webhook: Webhook): Hono {
  const app = new Hono();
  app.onError(onError);
  app.notFound(notFound);
  const limit = limitBody(webhook.maxBodyBytes);
  for (const route of webhook.routes) {
    // Named before the limit: a 413's log line gives this route, not the last one matched (`/*`).
    const named: MiddlewareHandler = (c, next) => {
      c.set(ROUTE_KEY as never, route.path as never);
      return next();
    };
    app.on(route.method, route.path, named, limit, async (c) => {
      const body = route.method === 'GET' ? new Uint8Array() : new Uint8Array(await c.req.arrayBuffer());
      const res = await webhook.handle({
        method: route.method,
        path: route.path,
        url: c.req.url,
        header: (name) => c.req.header(name),
        body,
      });
      const headers: Record<string, string> = res.contentType ? { 'content-type': res.contentType } : {};
      return new Response(res.status === 204 ? null : (res.body ?? ''), { status: res.status, headers });
    });
  }
  return app;
}
