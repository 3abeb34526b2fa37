/**
 * True for an HTTP status a client should retry later: 408 (timeout), 429 (too many requests) and any 5xx.
 * Every other 4xx is a refusal that repeating the same request cannot change (RFC 9110 §15.5).
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
