/** Base of Threadline's error hierarchy; the HTTP edge maps subclasses to statuses by `instanceof`. */
export class ThreadlineError extends Error {
  // Every error class names itself in a string: a minified bundle renames classes (see errors.test.ts).
  override name = 'ThreadlineError';
  /** A stable machine-readable code returned to clients. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The request is malformed or fails validation (400). */
export class ValidationError extends ThreadlineError {
  override name = 'ValidationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_request', message, options);
  }
}

/**
 * The caller is not authenticated: missing, forged or unknown credentials (401); `code` names the rule
 * where the caller's fix is its own (a site's identity token with an `aud` or `exp` it must write again).
 */
export class UnauthorizedError extends ThreadlineError {
  override name = 'UnauthorizedError';
  constructor(message = 'missing or invalid credentials', code = 'unauthorized') {
    super(code, message);
  }
}

/** The caller is known but may not do this (403); `agent_removed` for an agent an admin removed. */
export class ForbiddenError extends ThreadlineError {
  override name = 'ForbiddenError';
  constructor(message = 'not allowed', code = 'forbidden') {
    super(code, message);
  }
}

/** The thing asked for does not exist (404). */
export class NotFoundError extends ThreadlineError {
  override name = 'NotFoundError';
  constructor(message = 'not found') {
    super('not_found', message);
  }
}

/** The body is larger than the route accepts, or a file larger than the route answers (413). */
export class PayloadTooLargeError extends ThreadlineError {
  override name = 'PayloadTooLargeError';
  constructor(message = 'payload too large', code = 'payload_too_large') {
    super(code, message);
  }
}

/** The body is not of a media type the route reads: JSON routes take `application/json` (415). */
export class UnsupportedMediaTypeError extends ThreadlineError {
  override name = 'UnsupportedMediaTypeError';
  constructor(message: string) {
    super('unsupported_media_type', message);
  }
}

/** The caller sent too much too fast; `retryAfterSeconds` says when to try again (429). */
export class RateLimitedError extends ThreadlineError {
  override name = 'RateLimitedError';
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A dependency (queue, table) failed or throttled, or what the call needs is not there yet; the caller
 * should retry (503). `code` says which, when the logs should tell it from a dependency's failure.
 */
export class UnavailableError extends ThreadlineError {
  override name = 'UnavailableError';
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'unavailable', message, options);
  }
}

/**
 * A provider Threadline fetched from for the caller refused, failed or did not answer in time (502);
 * `code` says which (`media_unavailable`, `provider_unreachable`).
 */
export class BadGatewayError extends ThreadlineError {
  override name = 'BadGatewayError';
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The request conflicts with the current state: already merged elsewhere, not merged, ... (409). */
export class ConflictError extends ThreadlineError {
  override name = 'ConflictError';
  constructor(message: string, code = 'conflict') {
    super(code, message);
  }
}

/**
 * The request's precondition (`If-Match`) names a version that is no longer the current one: someone
 * changed the resource since the caller read it (412). Read it again and decide.
 */
export class PreconditionFailedError extends ThreadlineError {
  override name = 'PreconditionFailedError';
  constructor(message: string) {
    super('precondition_failed', message);
  }
}

/** The request is well-formed but cannot be carried out as asked: say what to send instead (422). */
export class UnprocessableError extends ThreadlineError {
  override name = 'UnprocessableError';
  constructor(message: string, code = 'unprocessable') {
    super(code, message);
  }
}

/** The customer was erased on request, or what was asked for is no longer kept (410). */
export class GoneError extends ThreadlineError {
  override name = 'GoneError';
  constructor(message = 'erased', code = 'gone') {
    super(code, message);
  }
}

/**
 * A dependency refused the request and will refuse it again, whatever the caller waits: DynamoDB's
 * ValidationException (an item over 400 KB, a key too long). Not worth retrying; a bug or an input
 * that escaped its bounds, so it answers 500 and queue consumers log it as permanent.
 */
export class PermanentError extends ThreadlineError {
  override name = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('permanent_failure', message, options);
  }
}
