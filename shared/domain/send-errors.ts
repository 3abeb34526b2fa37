import { ThreadlineError } from '../errors.js';

/** The provider refused the message for good (bad number, window closed, blocked): do not retry. */
export class PermanentSendError extends ThreadlineError {
  override name = 'PermanentSendError';
  readonly providerCode: string | undefined;
  constructor(message: string, providerCode?: string, options?: { cause?: unknown }) {
    super('send_failed', message, options);
    this.providerCode = providerCode;
  }
}

/** Throttling, a 5xx or a network failure: retry later with backoff (`retryAfterMs`: the provider's Retry-After). */
export class RetryableSendError extends ThreadlineError {
  override name = 'RetryableSendError';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number | undefined }) {
    super('send_retry', message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}
