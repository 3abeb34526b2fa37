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

/**
 * The provider refused OUR credentials or account (a token expired or revoked, a wrong auth token, an
 * account paused or not authorised), not this customer: every reply on the channel fails alike until an
 * admin fixes it. Not failed for good, then: the provider took nothing, so the reply is retried through
 * the queue (one send, whenever it goes), dead-lettered after its attempts, and redriven once fixed.
 */
export class CredentialsRefusedError extends RetryableSendError {
  override name = 'CredentialsRefusedError';
  /** The provider's code (Graph 190, Twilio 20003, SES AccountSendingPausedException…). */
  readonly providerCode: string;
  constructor(message: string, providerCode: string, options?: { cause?: unknown }) {
    super(message, options);
    this.providerCode = providerCode;
  }
}

/**
 * The log line of a CredentialsRefusedError (an alarm counts it), and the start of the reason of a reply
 * given up on for one.
 */
export const CREDENTIALS_REFUSED = 'channel credentials refused';

/**
 * The reason code of a reply the sender gave up on after its last attempt failed for a reason that
 * may pass (throttling, a 5xx, no network): unlike a provider's refusal, a redrive sends it again.
 */
export const GAVE_UP_CODE = 'gave_up';

/** SQS's longest DelaySeconds: 15 minutes. */
export const MAX_SEND_DELAY_SECONDS = 900;

/** The pause before a reply the provider turned away for now is tried again, when it named none. */
export const SEND_RETRY_DELAY_SECONDS = 20;

/**
 * How long a reply whose inline send failed waits on the outbound queue: after throttling, a 5xx or a
 * network failure, the provider's Retry-After (at most SQS's 15 minutes) or SEND_RETRY_DELAY_SECONDS,
 * so a struggling provider is not asked again within the second; 0 after anything else (too little
 * time left, the provider secret unreadable), where the provider asked for no pause.
 */
export function sendRetryDelaySeconds(error: unknown): number {
  if (!(error instanceof RetryableSendError)) return 0;
  if (error.retryAfterMs === undefined) return SEND_RETRY_DELAY_SECONDS;
  return Math.min(MAX_SEND_DELAY_SECONDS, Math.max(0, Math.ceil(error.retryAfterMs / 1000)));
}
