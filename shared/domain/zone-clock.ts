/**
 * A time zone's wall clock (an IANA zone, read from the runtime's own Intl data): what it shows at an
 * instant, and the instant it shows a time. Used by the business-hours calendar and the metrics' days.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

const WALL_CLOCK: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};

function formatter(timeZone: string): Intl.DateTimeFormat {
  const known = formatters.get(timeZone);
  if (known) return known;
  const made = new Intl.DateTimeFormat('en-US', { ...WALL_CLOCK, timeZone });
  formatters.set(timeZone, made);
  return made;
}

/** The wall clock of `zone` at `t`, as if it were UTC (epoch ms). */
export function wallAsUtc(zone: string, t: number): number {
  const p = Object.fromEntries(
    formatter(zone)
      .formatToParts(t)
      .map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
}

/** The instant a wall-clock time (given as if UTC) happens in `zone`; a time skipped by DST moves on. */
export function wallToInstant(zone: string, wall: number): number {
  const first = wall - (wallAsUtc(zone, wall) - wall);
  const offset = wallAsUtc(zone, first) - first;
  const second = wall - offset;
  // In a spring-forward gap neither guess reads back as `wall`: the later one is the gap's end.
  return wallAsUtc(zone, second) === wall ? second : Math.max(first, second);
}
