import { describe, expect, it } from 'vitest';
import { addBusinessTime, businessTimeBetween, type Calendar } from '#shared/domain/sla/calendar.js';
import { CalendarSchema } from '#shared/domain/sla/calendar-schema.js';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const add = (calendar: Calendar, start: string, hours: number) =>
  addBusinessTime(calendar, at(start), hours * HOUR)?.toISOString();

const london = CalendarSchema.parse({
  timezone: 'Europe/London',
  hours: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '12:00' },
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '13:00', close: '17:00' },
  ],
  holidays: ['2026-12-25', '2026-12-28'],
  overrides: { '2026-12-24': [{ open: '09:00', close: '11:00' }], '2026-12-31': [] },
});
const nightDesk = CalendarSchema.parse({
  timezone: 'America/New_York',
  hours: [{ days: ['sat'], open: '22:00', close: '06:00' }],
});

describe('business calendars', () => {
  it.each([
    ['within one window', '2026-06-10T08:00:00Z', 2, '2026-06-10T10:00:00.000Z'],
    ['across the lunch break', '2026-06-10T10:00:00Z', 2, '2026-06-10T13:00:00.000Z'],
    ['from before opening', '2026-06-10T06:00:00Z', 1, '2026-06-10T09:00:00.000Z'],
    ['over a weekend', '2026-06-12T15:00:00Z', 2, '2026-06-15T09:00:00.000Z'],
  ])('adds open time %s (BST, UTC+1)', (_name, start, hours, due) => {
    expect(add(london, start, hours)).toBe(due);
  });

  it('skips holidays and keeps the date overrides, closed ones included', () => {
    // Thu 24 Dec opens 09:00-11:00 only; 25 and 28 are holidays; the weekend is closed.
    expect(add(london, '2026-12-24T10:00:00Z', 2)).toBe('2026-12-29T10:00:00.000Z');
    // 31 Dec is closed by an override with no windows.
    expect(add(london, '2026-12-30T16:00:00Z', 2)).toBe('2027-01-01T10:00:00.000Z');
  });

  it('counts the right hours across the spring-forward weekend in London', () => {
    // Fri 27 Mar 2026 16:00 GMT; clocks go forward on Sunday; Monday opens 09:00 BST = 08:00 UTC.
    expect(add(london, '2026-03-27T16:00:00Z', 2)).toBe('2026-03-30T09:00:00.000Z');
    expect(businessTimeBetween(london, at('2026-03-27T16:00:00Z'), at('2026-03-30T10:00:00Z'))).toBe(
      3 * HOUR,
    );
  });

  it('counts the right hours across the fall-back weekend in London', () => {
    // Fri 23 Oct 2026 16:00 BST = 15:00 UTC; Monday opens 09:00 GMT = 09:00 UTC.
    expect(add(london, '2026-10-23T15:00:00Z', 2)).toBe('2026-10-26T10:00:00.000Z');
  });

  it('runs an overnight window past midnight, 7 real hours the night New York springs forward', () => {
    // Sat 7 Mar 22:00 EST (03:00 UTC) to Sun 06:00 EDT (10:00 UTC): the night is an hour short.
    expect(add(nightDesk, '2026-03-07T12:00:00Z', 7)).toBe('2026-03-08T10:00:00.000Z');
    expect(businessTimeBetween(nightDesk, at('2026-03-07T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(
      7 * HOUR,
    );
  });

  it('runs an overnight window 9 real hours the night New York falls back', () => {
    // Sat 31 Oct 22:00 EDT (02:00 UTC) to Sun 06:00 EST (11:00 UTC).
    expect(add(nightDesk, '2026-10-31T12:00:00Z', 9)).toBe('2026-11-01T11:00:00.000Z');
    expect(add(nightDesk, '2026-10-31T12:00:00Z', 9.5)).toBe('2026-11-08T03:30:00.000Z');
  });

  it('starts inside an overnight window that opened the day before', () => {
    expect(add(nightDesk, '2026-06-14T08:00:00Z', 1)).toBe('2026-06-14T09:00:00.000Z');
  });

  it('adds nothing for zero, and gives up on a calendar that never opens', () => {
    expect(add(london, '2026-06-10T10:30:00Z', 0)).toBe('2026-06-10T10:30:00.000Z');
    const never = CalendarSchema.parse({
      timezone: 'UTC',
      hours: [{ days: ['mon'], open: '09:00', close: '10:00' }],
      overrides: {},
      holidays: Array.from({ length: 200 }, (_, i) =>
        new Date(Date.UTC(2026, 0, 5 + i * 7)).toISOString().slice(0, 10),
      ),
    });
    expect(addBusinessTime(never, at('2026-01-01T00:00:00Z'), 1000 * HOUR)).toBeUndefined();
  });

  it('refuses a zone that is not IANA and a window that opens and closes at once', () => {
    expect(CalendarSchema.safeParse({ timezone: 'Mars/Olympus', hours: london.hours }).success).toBe(false);
    const same = [{ days: ['mon'], open: '09:00', close: '09:00' }];
    expect(CalendarSchema.safeParse({ timezone: 'UTC', hours: same }).success).toBe(false);
  });
});
