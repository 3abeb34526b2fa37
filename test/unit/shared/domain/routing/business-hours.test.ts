import { describe, expect, it } from 'vitest';
import { isWithinBusinessHours } from '#shared/domain/routing/business-hours.js';
import type { BusinessHours } from '#shared/domain/routing/policy.js';
import { WEEKDAYS } from './fixtures.js';

describe('isWithinBusinessHours across time zones', () => {
  const hours = (timezone: string, open: string, close: string, days: string[] = [...WEEKDAYS]) =>
    ({ timezone, hours: [{ days, open, close }], afterHours: { route: 'ai' } }) as BusinessHours;
  const newYork = hours('America/New_York', '09:00', '17:00');
  const tokyo = hours('Asia/Tokyo', '08:00', '17:00');
  const londonNights = hours('Europe/London', '22:00', '06:00', ['fri']);
  const sundayAllDay = hours('UTC', '00:00', '24:00', ['sun']);

  it.each([
    ['New York, Monday 08:30 EDT (12:30 UTC)', newYork, '2025-06-09T12:30:00Z', false],
    ['New York, Monday 09:30 EDT (13:30 UTC)', newYork, '2025-06-09T13:30:00Z', true],
    ['New York, Monday 08:30 EST in winter (13:30 UTC)', newYork, '2025-01-06T13:30:00Z', false],
    ['New York, Monday 09:30 EST in winter (14:30 UTC)', newYork, '2025-01-06T14:30:00Z', true],
    ['New York, Friday 16:59 EDT', newYork, '2025-06-13T20:59:00Z', true],
    ['New York, Friday 17:00 EDT (closing is exclusive)', newYork, '2025-06-13T21:00:00Z', false],
    ['New York, Friday 20:30 EDT, already Saturday in UTC', newYork, '2025-06-14T00:30:00Z', false],
    ['Tokyo, Monday 08:30 JST, still Sunday in UTC', tokyo, '2025-06-08T23:30:00Z', true],
    ['Tokyo, Saturday 08:30 JST, still Friday in UTC', tokyo, '2025-06-06T23:30:00Z', false],
    ['Tokyo, Friday 17:30 JST, Friday morning in UTC', tokyo, '2025-06-13T08:30:00Z', false],
    ['London overnight window, Friday 23:00 BST', londonNights, '2025-06-13T22:00:00Z', true],
    ['London overnight window, Saturday 03:00 BST', londonNights, '2025-06-14T02:00:00Z', true],
    ['London overnight window, Saturday 06:00 BST', londonNights, '2025-06-14T05:00:00Z', false],
    ['London overnight window, Friday 21:00 BST', londonNights, '2025-06-13T20:00:00Z', false],
    ['London overnight window, Sunday 03:00 BST', londonNights, '2025-06-15T02:00:00Z', false],
    ['a whole day to 24:00, Sunday 23:59', sundayAllDay, '2025-06-15T23:59:00Z', true],
    ['a whole day to 24:00, Monday 00:00', sundayAllDay, '2025-06-16T00:00:00Z', false],
  ])('%s: open=%s', (_name, schedule, at, open) => {
    expect(isWithinBusinessHours(schedule, new Date(at))).toBe(open);
  });
});

describe('isWithinBusinessHours on holidays', () => {
  const hours = (timezone: string, windows: BusinessHours['hours'], holidays: string[]) =>
    ({ timezone, hours: windows, holidays, afterHours: { route: 'ai' } }) as BusinessHours;
  const newYork = hours(
    'America/New_York',
    [{ days: [...WEEKDAYS], open: '09:00', close: '17:00' }],
    ['2025-12-25'],
  );
  const tokyo = hours('Asia/Tokyo', [{ days: [...WEEKDAYS], open: '08:00', close: '17:00' }], ['2025-06-09']);
  const londonNights = hours(
    'Europe/London',
    [{ days: ['thu', 'fri'], open: '22:00', close: '06:00' }],
    ['2025-06-13'],
  );

  it.each([
    ['New York, Christmas Day (a Thursday) 10:00 EST', newYork, '2025-12-25T15:00:00Z', false],
    ['New York, the day before, 10:00 EST', newYork, '2025-12-24T15:00:00Z', true],
    ['New York, the day after, 10:00 EST', newYork, '2025-12-26T15:00:00Z', true],
    [
      'Tokyo, the holiday is a Tokyo date: Monday 08:30 JST, still Sunday in UTC',
      tokyo,
      '2025-06-08T23:30:00Z',
      false,
    ],
    ['Tokyo, Tuesday 08:30 JST', tokyo, '2025-06-09T23:30:00Z', true],
    [
      'London, a night that opens on the holiday (Friday 23:00) is closed',
      londonNights,
      '2025-06-13T22:00:00Z',
      false,
    ],
    ['London, ...into Saturday 03:00', londonNights, '2025-06-14T02:00:00Z', false],
    [
      'London, the night before runs into the holiday (Friday 03:00)',
      londonNights,
      '2025-06-13T02:00:00Z',
      true,
    ],
  ])('%s: open=%s', (_name, schedule, at, open) => {
    expect(isWithinBusinessHours(schedule, new Date(at))).toBe(open);
  });
});
