import type { BusinessHours, Weekday } from '../routing/policy.js';
import { wallAsUtc, wallToInstant } from '../zone-clock.js';
import type { Calendar } from './calendar-schema.js';

export type { Calendar } from './calendar-schema.js';

/** What business hours are made of for the clock: their time zone, weekly windows, holidays and overrides. */
export type OpeningHours = Pick<BusinessHours, 'timezone' | 'hours'> & {
  holidays?: string[] | undefined;
  overrides?: Calendar['overrides'] | undefined;
};

/** The routing policy's business hours as a calendar: its weekly windows, holidays and date overrides. */
export function calendarOfBusinessHours(hours: OpeningHours): Calendar {
  return {
    timezone: hours.timezone,
    hours: hours.hours,
    holidays: hours.holidays ?? [],
    overrides: hours.overrides ?? {},
  };
}

const DAY_MS = 86_400_000;
/** How far ahead a deadline is searched for before giving up (a calendar that never opens). */
const MAX_DAYS = 800;
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const isoDate = (day: number) => new Date(day).toISOString().slice(0, 10);

/**
 * Where a wall-clock time of a date (`YYYY-MM-DD`, `HH:MM`) skipped by the clocks going forward in
 * `zone` counts from instead, as `HH:MM` on that wall clock; undefined when the time happens.
 */
export function skippedWallTime(zone: string, date: string, time: string): string | undefined {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes(time) * 60_000;
  const read = wallAsUtc(zone, wallToInstant(zone, wall));
  return read === wall ? undefined : new Date(read).toISOString().slice(11, 16);
}

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
