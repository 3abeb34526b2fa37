import {
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  PayloadTooLargeError,
  ThreadlineError,
  UnauthorizedError,
  UnavailableError,
  UnprocessableError,
  ValidationError,
} from '../errors.js';

const STATUS_BY_ERROR: ReadonlyArray<[new (...args: never[]) => ThreadlineError, number]> = [
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

/** The HTTP status of one of our errors, by `instanceof`; undefined for anything else (a bug: 500). */
export function statusOfError(error: unknown): number | undefined {
  if (!(error instanceof ThreadlineError)) return undefined;
  for (const [type, status] of STATUS_BY_ERROR) if (error instanceof type) return status;
  return undefined;
}

/** The one JSON error body clients ever see. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
