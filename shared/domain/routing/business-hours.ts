import type { BusinessHours, Weekday } from './policy.js';

const WEEKDAYS: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};
const PREVIOUS_DAY: Record<Weekday, Weekday> = {
  mon: 'sun',
  tue: 'mon',
  wed: 'tue',
  thu: 'wed',
  fri: 'thu',
  sat: 'fri',
  sun: 'sat',
};
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minute of the day at `now` on the wall clocks of a time zone. */
function wallClock(now: Date, timeZone: string): { day: Weekday; minute: number } {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(now).map((p) => [p.type, p.value]));
  const day = WEEKDAYS[parts.weekday ?? ''];
  if (!day) throw new Error(`unexpected weekday from Intl for ${timeZone}`);
  return { day, minute: (Number(parts.hour) % 24) * 60 + Number(parts.minute) };
}

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Whether `now` falls in one of the opening windows, on the schedule's own wall clock (DST included). */
export function isWithinBusinessHours(hours: BusinessHours, now: Date): boolean {
  const { day, minute } = wallClock(now, hours.timezone);
  return hours.hours.some((window) => {
    const open = minutes(window.open);
    const close = minutes(window.close);
    if (open < close) return window.days.includes(day) && minute >= open && minute < close;
    // Overnight: the window opened on a listed day and runs into the next morning.
    return (
      (window.days.includes(day) && minute >= open) ||
      (window.days.includes(PREVIOUS_DAY[day]) && minute < close)
    );
  });
}
