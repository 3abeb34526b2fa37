import { describe, expect, it } from 'vitest';
import { metricsRange } from '#shared/domain/metrics.js';

const NOW = new Date('2026-12-06T12:00:00.000Z');

/** The range a metrics or survey read covers, as `metricsRange` reads it from the query. */
describe('metricsRange', () => {
  it('answers the zone by its IANA name, whatever the case typed', () => {
    expect(metricsRange({ from: '2026-12-01', tz: 'europe/berlin' }, NOW)).toEqual({
      from: '2026-12-01',
      to: '2026-12-06',
      tz: 'Europe/Berlin',
    });
    expect(metricsRange({ tz: 'Mars/Olympus' }, NOW)).toEqual({
      error: 'tz: Mars/Olympus is not a time zone (an IANA name, such as Europe/Berlin)',
    });
  });

  it.each([
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Europe/Kyiv', 'Europe/Kyiv'],
    ['Asia/Ho_Chi_Minh', 'Asia/Ho_Chi_Minh'],
    ['America/Nuuk', 'America/Nuuk'],
    ['asia/kathmandu', 'Asia/Kathmandu'],
    ['Asia/Calcutta', 'Asia/Kolkata'],
    ['US/Eastern', 'America/New_York'],
    ['GMT', 'UTC'],
    ['Etc/GMT+5', 'Etc/GMT+5'],
  ])('answers %s by its current IANA name, %s, not the old one the runtime may keep', (tz, named) => {
    expect(metricsRange({ from: '2026-12-01', tz }, NOW)).toMatchObject({ tz: named });
  });

  it.each([
    [{ from: '0000-01-01', to: '0000-12-31' }, 'from: 0000-01-01 is before 2000-01-01: no figures then'],
    [{ to: '1999-12-31' }, 'to: 1999-12-31 is before 2000-01-01: no figures then'],
  ])('refuses a day before 2000 (%j)', (asked, error) => {
    expect(metricsRange(asked, NOW)).toEqual({ error });
  });

  it('takes the first day of 2000', () => {
    expect(metricsRange({ from: '2000-01-01', to: '2000-12-31' }, NOW)).toEqual({
      from: '2000-01-01',
      to: '2000-12-31',
    });
  });
});
