import { backoffDelayMs } from '../backoff.js';
import { AwsRequestError } from './request-error.js';

/** How a client retries: tries in all, how it waits, and the jitter. */
export interface RetryOptions {
  /** Tries per call, as the SDK's standard retry mode (default 3). */
  maxAttempts?: number;
  /** Waits between tries (tests pass one that records and returns at once). */
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter of the backoff. */
  random?: () => number;
}

/** The SDK's backoff bases: 100 ms, 500 ms when the service says it is throttling. */
const BASE_DELAY_MS = 100;
const THROTTLING_BASE_DELAY_MS = 500;
const THROTTLING_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
]);

/** How long to wait before try `attempt + 1`: full jitter over an exponential ceiling, as the SDK. */
export function retryDelayMs(attempt: number, error: AwsRequestError, random: () => number): number {
  const throttled = error.status === 429 || THROTTLING_CODES.has(error.code);
  const base = throttled ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
  return backoffDelayMs(attempt, base, random);
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call` until it succeeds, fails with an error that is not a retryable AwsRequestError
 * (throttling, 5xx, network, timeout), or has been tried `maxAttempts` times, as the SDK's standard
 * retry mode does.
 */
export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof AwsRequestError) || !error.retryable || attempt >= maxAttempts) throw error;
      await (options.sleep ?? wait)(retryDelayMs(attempt, error, options.random ?? Math.random));
    }
  }
}
