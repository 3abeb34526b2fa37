import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  PayloadTooLargeError,
  type ThreadlineError,
  UnauthorizedError,
  UnavailableError,
  UnprocessableError,
  ValidationError,
} from '../errors.js';
import { logger } from '../log.js';

const STATUS_BY_ERROR: ReadonlyArray<[new (...args: never[]) => ThreadlineError, ContentfulStatusCode]> = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [GoneError, 410],
  [PayloadTooLargeError, 413],
  [UnprocessableError, 422],
  [UnavailableError, 503],
];

/** The one JSON error body clients ever see. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/**
 * Maps errors to HTTP by `instanceof`: known errors keep their code and message, anything else is a
 * 500 with a generic message (the details go to the log, never to the client).
 */
export function onError(error: Error, c: Context): Response {
  for (const [type, status] of STATUS_BY_ERROR) {
    if (error instanceof type) {
      const level = status >= 500 ? 'error' : 'warn';
      // Other client errors may echo what the caller typed (`no customer <id>`): their code says enough.
      const logged = status >= 500 || error instanceof ValidationError ? { error: error.message } : {};
      logger[level]('request failed', { route: route(c), status, code: error.code, ...logged });
      return c.json(errorBody(error.code, error.message), status);
    }
  }
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
