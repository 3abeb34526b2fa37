import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { logger } from '../log.js';
import { errorBody, knownErrorAnswer } from './error-status.js';

/**
 * Maps errors to HTTP by `instanceof`: known errors keep their code and message, anything else is a
 * 500 with a generic message (the details go to the log, never to the client).
 */
export function onError(error: Error, c: Context): Response {
  const known = knownErrorAnswer(error, route(c));
  if (known) return c.json(known.body, known.status as ContentfulStatusCode);
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    logger.warn('request refused', { route: route(c), status });
    return c.json(
      errorBody(status === 413 ? 'payload_too_large' : 'http_error', error.message || 'request refused'),
      status,
    );
  }
  logger.error('unhandled error', { route: route(c), error: error.name, message: error.message });
  return c.json(errorBody('internal', 'internal error'), 500);
}

/**
 * The route that matched (`/api/customers/:id`), for logs: never the path, which carries whatever the
 * caller put in it (a phone number typed as an id, say).
 */
function route(c: Context): string {
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
