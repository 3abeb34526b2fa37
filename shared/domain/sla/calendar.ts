import * as z from 'zod';
import type { BusinessHours, Weekday } from '../routing/policy.js';

const DateSchema = z.iso.date();
const TimeSchema = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time of day "HH:MM" (00:00 to 24:00)');
const ZoneSchema = z.string().refine(
  (zone) => {
    try {
      return Boolean(new Intl.DateTimeFormat('en-GB', { timeZone: zone }).resolvedOptions().timeZone);
    } catch {
      return false;
    }
  },
  { message: 'not an IANA time zone (for example "Europe/London")' },
);

/** A window of one date: `close` at or before `open` runs past midnight. */
const DateWindowSchema = z
  .strictObject({ open: TimeSchema, close: TimeSchema })
  .refine((w) => w.open !== w.close, { message: 'open and close are equal', path: ['close'] });
/** A weekly window: the days it opens on. */
const WeekWindowSchema = z
  .strictObject({
    days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).min(1),
    open: TimeSchema,
    close: TimeSchema,
  })
  .refine((w) => w.open !== w.close, { message: 'open and close are equal', path: ['close'] });

/** Closed dates (`YYYY-MM-DD` on the calendar's own wall clock): an SLA calendar's and the routing policy's business hours'. */
export const HolidaysSchema = z.array(DateSchema).max(1000).default([]);

/**
 * A business calendar: weekly windows (several a day, past midnight), holidays (closed) and date
 * overrides (these windows instead of the week's; `[]` is closed), on the wall clock of one IANA zone.
 */
export const CalendarSchema = z.strictObject({
  $comment: z.string().optional(),
  timezone: ZoneSchema,
  hours: z.array(WeekWindowSchema).min(1).max(50),
  holidays: HolidaysSchema,
  overrides: z.record(DateSchema, z.array(DateWindowSchema).max(10)).default({}),
});
export type Calendar = z.infer<typeof CalendarSchema>;

/** The routing policy's business hours as a calendar: its weekly windows and holidays (no overrides). */
export function calendarOfBusinessHours(hours: BusinessHours): Calendar {
  return { timezone: hours.timezone, hours: hours.hours, holidays: hours.holidays ?? [], overrides: {} };
}

const DAY_MS = 86_400_000;
/** How far ahead a deadline is searched for before giving up (a calendar that never opens). */
const MAX_DAYS = 800;
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
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
function wallAsUtc(zone: string, t: number): number {
  const p = Object.fromEntries(
    formatter(zone)
      .formatToParts(t)
      .map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
}

/** The instant a wall-clock time (given as if UTC) happens in `zone`; a time skipped by DST moves on. */
function wallToInstant(zone: string, wall: number): number {
  const first = wall - (wallAsUtc(zone, wall) - wall);
  const offset = wallAsUtc(zone, first) - first;
  const second = wall - offset;
  // In a spring-forward gap neither guess reads back as `wall`: the later one is the gap's end.
  return wallAsUtc(zone, second) === wall ? second : Math.max(first, second);
}

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const isoDate = (day: number) => new Date(day).toISOString().slice(0, 10);

/** The open intervals (epoch ms) that start on one local date (`day`: its midnight as if UTC), in order. */
function intervalsStarting(calendar: Calendar, day: number): Array<[number, number]> {
  const date = isoDate(day);
  if (calendar.holidays.includes(date)) return [];
  const weekday = WEEKDAYS[new Date(day).getUTCDay()] as Weekday;
  const windows = calendar.overrides[date] ?? calendar.hours.filter((w) => w.days.includes(weekday));
  return windows
    .map((w): [number, number] => {
      const open = minutes(w.open);
      const close = minutes(w.close) + (minutes(w.close) <= open ? 1440 : 0);
      const zone = calendar.timezone;
      return [wallToInstant(zone, day + open * 60_000), wallToInstant(zone, day + close * 60_000)];
    })
    .sort((a, b) => a[0] - b[0]);
}

/** Local midnight (as if UTC) of the date before the one `t` falls on: overnight windows start there. */
function dayBefore(calendar: Calendar, t: number): number {
  const wall = wallAsUtc(calendar.timezone, t);
  return wall - (wall % DAY_MS) - DAY_MS;
}

/**
 * Whether the calendar is open at `at`: in a window of its local date or of the date before (one
 * that runs past midnight), holidays and overrides applied, on its own wall clock.
 */
export function isOpenAt(calendar: Calendar, at: Date): boolean {
  const t = at.getTime();
  const first = dayBefore(calendar, t);
  return [first, first + DAY_MS].some((day) =>
    intervalsStarting(calendar, day).some(([open, close]) => open <= t && t < close),
  );
}

/**
 * The instant `ms` of open time after `start` (`start` itself for 0), walking the calendar's windows
 * day by day on its own wall clock, so DST, holidays and overrides count as they should. Undefined
 * when the calendar does not open often enough within about two years.
 */
export function addBusinessTime(calendar: Calendar, start: Date, ms: number): Date | undefined {
  let remaining = ms;
  let cursor = start.getTime();
  const first = dayBefore(calendar, cursor);
  for (let d = 0; d < MAX_DAYS; d++) {
    for (const [open, close] of intervalsStarting(calendar, first + d * DAY_MS)) {
      const from = Math.max(open, cursor);
      if (close <= from) continue;
      if (close - from >= remaining) return new Date(from + remaining);
      remaining -= close - from;
      cursor = close;
    }
  }
  return undefined;
}

/** Open time (ms) between two instants; 0 when `to` is not after `from`. */
export function businessTimeBetween(calendar: Calendar, from: Date, to: Date): number {
  const end = to.getTime();
  let cursor = from.getTime();
  let total = 0;
  const first = dayBefore(calendar, cursor);
  for (let d = 0; cursor < end && d < MAX_DAYS; d++) {
    const day = first + d * DAY_MS;
    if (wallToInstant(calendar.timezone, day) > end + DAY_MS) break;
    for (const [open, close] of intervalsStarting(calendar, day)) {
      const a = Math.max(open, cursor);
      const b = Math.min(close, end);
      if (b > a) {
        total += b - a;
        cursor = b;
      }
    }
  }
  return total;
}
