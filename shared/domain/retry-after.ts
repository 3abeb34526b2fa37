/** The longest `Retry-After` honoured: a day (a webhook delivery's retry window). */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now; undefined when absent or bad. */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header || header.length > 64) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}
