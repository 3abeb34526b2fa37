/**
 * The business's local days for the metrics (`?tz=`, an IANA time zone): which instants a local day
 * spans, across a daylight-saving change, and today there. Only the runtime's own time zone data
 * (Intl) is used.
 */

const DAY_MS = 86_400_000;

/** Whether the runtime knows the time zone (an IANA name such as `Europe/Berlin`). */
export function knownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of an instant in a zone, as if it were UTC (ms): the zone's offset is it minus the instant. */
function wallClock(at: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
}

/** The zone's day (`yyyy-mm-dd`) of an instant. */
export function zoneDay(at: Date, tz: string): string {
  return new Date(wallClock(at.getTime(), tz)).toISOString().slice(0, 10);
}

/**
 * The instant a local day begins in a zone (its first moment: midnight, or the first time after a
 * skipped midnight). The offset is read at the guess and again where that lands, so a day on which the
 * clocks change starts at its own offset.
 */
export function zoneDayStart(day: string, tz: string): number {
  const wall = Date.parse(`${day}T00:00:00.000Z`);
  const first = wall - (wallClock(wall, tz) - wall);
  const start = wall - (wallClock(first, tz) - first);
  // A midnight the clocks skip: the day starts at the first instant that is on it.
  return zoneDay(new Date(start), tz) === day ? start : first;
}

/** The instants of a range of local days: its first moment and the first moment after it. */
export function zoneSpan(range: { from: string; to: string }, tz: string): { start: number; end: number } {
  const next = new Date(Date.parse(`${range.to}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);
  return { start: zoneDayStart(range.from, tz), end: zoneDayStart(next, tz) };
}
