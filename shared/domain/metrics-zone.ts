/**
 * The business's local days for the metrics (`?tz=`, an IANA time zone): which instants a local day
 * spans, across a daylight-saving change, and today there. Only the runtime's own time zone data
 * (Intl) is used.
 */
import { canonicalZoneFor } from './sla/time-zone-names.js';
import { wallAsUtc, wallToInstant } from './zone-clock.js';

const DAY_MS = 86_400_000;

/**
 * The time zone's current IANA name (`europe/berlin` is `Europe/Berlin`; `Asia/Kolkata` stays so, though
 * the runtime's data may still call it `Asia/Calcutta`, see `canonicalZoneFor`), else the runtime's own
 * (`Etc/GMT+5`), or undefined when it does not know the zone (an IANA name such as `Europe/Berlin`).
 */
export function knownTimeZone(tz: string): string | undefined {
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
    return canonicalZoneFor(tz, resolved) ?? resolved;
  } catch {
    return undefined;
  }
}

/** The zone's day (`yyyy-mm-dd`) of an instant. */
export function zoneDay(at: Date, tz: string): string {
  return new Date(wallAsUtc(tz, at.getTime())).toISOString().slice(0, 10);
}

/**
 * The instant a local day begins in a zone: its midnight at that day's own offset, or, where the clocks
 * skip midnight, the first instant after the gap.
 */
export function zoneDayStart(day: string, tz: string): number {
  return wallToInstant(tz, Date.parse(`${day}T00:00:00.000Z`));
}

/** The instants of a range of local days: its first moment and the first moment after it. */
export function zoneSpan(range: { from: string; to: string }, tz: string): { start: number; end: number } {
  const next = new Date(Date.parse(`${range.to}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);
  return { start: zoneDayStart(range.from, tz), end: zoneDayStart(next, tz) };
}
