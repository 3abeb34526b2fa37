/** The longest wait between two tries, as the SDK's standard retry mode caps it. */
const MAX_BACKOFF_MS = 20_000;

/**
 * How long to wait before try `attempt + 1`: full jitter (`random` in [0, 1)) over an exponential
 * ceiling from `baseMs`, as the SDK's standard retry mode; one formula for the AWS clients and the store.
 */
export function backoffDelayMs(attempt: number, baseMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1)));
}
