import {
  BadGatewayError,
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  RateLimitedError,
  ThreadlineError,
  UnauthorizedError,
  UnavailableError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';
import { logger } from '../log.js';

const STATUS_BY_ERROR: ReadonlyArray<[new (...args: never[]) => ThreadlineError, number]> = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [GoneError, 410],
  [PreconditionFailedError, 412],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [UnprocessableError, 422],
  [RateLimitedError, 429],
  [BadGatewayError, 502],
  [UnavailableError, 503],
];

/** The HTTP status of one of our errors, by `instanceof`; undefined for anything else (a bug: 500). */
function statusOfError(error: unknown): number | undefined {
  if (!(error instanceof ThreadlineError)) return undefined;
  for (const [type, status] of STATUS_BY_ERROR) if (error instanceof type) return status;
  return undefined;
}

/** The one JSON error body clients ever see. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** Which call a log line is about: the route pattern (never the path), and the method and caller when known. */
export interface RequestWhere {
  route: string;
  method?: string;
  agentId?: string;
}

/**
 * The answer to one of our errors, logged under its route (the pattern, never the path) and, where
 * known, the method and the agent: 5xx as errors with the message, 4xx as warnings with only the code,
 * except a ValidationError, whose message names the rule (other client errors may echo what the caller
 * typed: `no customer <id>`). Undefined for any other error, which the caller answers as a generic 500.
 */
export function knownErrorAnswer(
  error: unknown,
  where: RequestWhere,
): { status: number; body: ReturnType<typeof errorBody> } | undefined {
  const status = statusOfError(error);
  if (status === undefined || !(error instanceof ThreadlineError)) return undefined;
  const level = status >= 500 ? 'error' : 'warn';
  const logged = status >= 500 || error instanceof ValidationError ? { error: error.message } : {};
  logger[level]('request failed', { ...where, status, code: error.code, ...logged });
  return { status, body: errorBody(error.code, error.message) };
}
