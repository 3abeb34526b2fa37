import type { Context, Env, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorFields, logger } from '../log.js';
import { errorBody, knownErrorAnswer, type RequestWhere } from './error-status.js';

/**
 * Maps errors to HTTP by `instanceof`: known errors keep their code and message, anything else is a
 * 500 with a generic message (the details go to the log, never to the client).
 */
export function onError(error: Error, c: Context): Response {
  const at = where(c);
  const known = knownErrorAnswer(error, at);
  if (known) return c.json(known.body, known.status as ContentfulStatusCode);
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    logger.warn('request refused', { ...at, status });
    return c.json(
      errorBody(status === 413 ? 'payload_too_large' : 'http_error', error.message || 'request refused'),
      status,
    );
  }
  // `errorMessage`, not `message`: Powertools keeps that key for the line's own text and drops it.
  logger.error('unhandled error', { ...at, ...errorFields(error) });
  return c.json(errorBody('internal', 'internal error'), 500);
}

/** The context variable a route sets to name itself in the log line of its failure (`route`). */
export const ROUTE_KEY = 'route';

/**
 * Which call failed, for its log line: the route pattern, the method (one pattern serves a read, a
 * change and an erasure) and the signed-in agent where there is one (the agent API's check sets it).
 */
function where(c: Context): RequestWhere {
  const agentId: unknown = c.get('agentId');
  return { route: route(c), method: c.req.method, ...(typeof agentId === 'string' && { agentId }) };
}

/**
 * The route that matched (`/api/customers/:id`), for logs: never the path, which carries whatever the
 * caller put in it (a phone number typed as an id, say).
 */
function route(c: Context): string {
  // A route that named itself (a webhook's: its body limit runs first, and a wildcard mounted after
  // it on the same server would be the last route matched).
  const named: unknown = c.get(ROUTE_KEY);
  if (typeof named === 'string') return named;
  try {
    return routePath(c, -1) || 'unmatched';
  } catch {
    return 'unmatched';
  }
}

/** JSON 404 for routes that do not exist. */
export function notFound(c: Context): Response {
  return c.json(errorBody('not_found', 'no such route'), 404);
}

/** The methods a path can have, in the order `Allow` lists them (HEAD is added after GET: Hono answers it). */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The methods `app` has a route of for `path`: a route's own method, never middleware's (`use`, `all`).
 * HEAD comes with GET, which answers it.
 */
export function allowedMethods<E extends Env>(app: Hono<E>, path: string): string[] {
  const routed = (method: string) =>
    app.router.match(method, path)[0].some(([[, route]]) => route.method !== 'ALL');
  return METHODS.filter(routed).flatMap((method) => (method === 'GET' ? [method, 'HEAD'] : [method]));
}

/** The pattern of `app`'s route of `method` for `path` (`/api/me`), for a 405's log line: never the path. */
function patternOf<E extends Env>(app: Hono<E>, method: string, path: string): string {
  const routes = app.router.match(method, path)[0];
  return routes.find(([[, r]]) => r.method !== 'ALL')?.[0][1].path ?? 'unmatched';
}

/**
 * The answer when no route of `app` took a request: `405` `method_not_allowed` with `Allow` when the
 * path has routes of other methods (`PATCH /api/me`), else the JSON 404. One rule for every route,
 * each with the refusal's log line: the pattern of the path's routes (a 404 has none: `unmatched`),
 * the method, the signed-in agent where there is one, the status and the code.
 */
export function notFoundOrNotAllowed<E extends Env>(app: Hono<E>) {
  return (c: Context<E>): Response => {
    const allowed = allowedMethods(app, c.req.path);
    const at = where(c);
    if (allowed.length === 0) {
      logger.warn('request failed', { ...at, route: 'unmatched', status: 404, code: 'not_found' });
      return notFound(c);
    }
    const allow = allowed.join(', ');
    const route = patternOf(app, allowed[0] ?? 'GET', c.req.path);
    logger.warn('request failed', { ...at, route, status: 405, code: 'method_not_allowed', allow });
    c.header('Allow', allow);
    return c.json(
      errorBody('method_not_allowed', `${c.req.method} is not a method of this path: ${allow}`),
      405,
    );
  };
}
