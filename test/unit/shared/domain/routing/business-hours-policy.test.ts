import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadQueueRules } from '#shared/config/queue-hours-file.js';
import { isWithinBusinessHours } from '#shared/domain/routing/business-hours.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import { calendarOfBusinessHours } from '#shared/domain/sla/calendar.js';
import { CalendarSchema } from '#shared/domain/sla/calendar-schema.js';

const withHours = (hours: Record<string, unknown>) =>
  JSON.stringify({
    defaultQueue: 'general',
    queues: [{ name: 'general' }],
    businessHours: {
      hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' }],
      ...hours,
    },
  });

describe('business hours: time zones that would not keep daylight saving as the README promises', () => {
  it.each([
    [
      'EST',
      /"EST" is an abbreviation or a legacy name, not a place: it reads as America\/Panama, without daylight saving; write the place whose clock the team keeps/,
    ],
    [
      'WET',
      /"WET" is an abbreviation or a legacy name, not a place: it reads as Europe\/Lisbon, with daylight saving;/,
    ],
    ['EST5EDT', /"EST5EDT" is an abbreviation or a legacy name/],
    ['Japan', /"Japan" .* it reads as Asia\/Tokyo/],
    ['Etc/GMT+1', /"Etc\/GMT\+1" is a fixed offset \(its sign reversed: UTC-1\), without daylight saving/],
  ])('refuses %s, saying what it reads as and what to write', (timezone, message) => {
    expect(() => parseRoutingPolicy(withHours({ timezone }))).toThrow(message);
    expect(() => parseRoutingPolicy(withHours({ timezone }))).toThrow(/businessHours\.timezone: /);
  });

  it('refuses them in an SLA calendar too', () => {
    const calendar = { timezone: 'EST', hours: [{ days: ['mon'], open: '09:00', close: '17:00' }] };
    expect(CalendarSchema.safeParse(calendar).success).toBe(false);
  });

  /**
   * The README promised place names or UTC, but any name with a `/` passed: `US/Eastern`,
   * `Asia/Calcutta`, `america/new_york`, and UTC's other names. Each is refused with the name to write.
   */
  it.each([
    ['US/Eastern', '"US/Eastern" is an old name or an alias of "America/New_York": write "America/New_York"'],
    ['Asia/Calcutta', '"Asia/Calcutta" is an old name or an alias of "Asia/Kolkata": write "Asia/Kolkata"'],
    ['Europe/Kiev', '"Europe/Kiev" is an old name or an alias of "Europe/Kyiv": write "Europe/Kyiv"'],
    [
      'america/new_york',
      '"america/new_york" is written "America/New_York" in the IANA database: write it so',
    ],
    ['GMT', '"GMT" is another name of UTC: write "UTC"'],
    ['utc', '"utc" is another name of UTC: write "UTC"'],
    ['Etc/UTC', '"Etc/UTC" is another name of UTC: write "UTC"'],
    ['Europe/London ', '"Europe/London " has a space at its start or end: remove the space'],
  ])('refuses %j, naming the one to write', (timezone, message) => {
    expect(() => parseRoutingPolicy(withHours({ timezone }))).toThrow(`businessHours.timezone: ${message}`);
  });

  it.each(['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Kyiv', 'America/Argentina/Buenos_Aires'])(
    'takes %s',
    (timezone) => {
      expect(parseRoutingPolicy(withHours({ timezone })).businessHours?.timezone).toBe(timezone);
    },
  );
});

describe('business hours: overrides, as an SLA calendar has them', () => {
  const policy = parseRoutingPolicy(
    withHours({
      timezone: 'America/New_York',
      overrides: { '2026-12-24': [{ open: '09:00', close: '12:00' }], '2026-12-28': [] },
    }),
  );
  const hours = policy.businessHours;

  it('opens a date by its own windows instead of the week', () => {
    expect(hours).toBeDefined();
    if (!hours) return;
    // Thursday 24 December 2026, 11:00 and 13:00 in New York (EST, UTC-5).
    expect(isWithinBusinessHours(hours, new Date('2026-12-24T16:00:00Z'))).toBe(true);
    expect(isWithinBusinessHours(hours, new Date('2026-12-24T18:00:00Z'))).toBe(false);
    // Monday 28 December, closed by `[]`; Tuesday 29 as the week says.
    expect(isWithinBusinessHours(hours, new Date('2026-12-28T16:00:00Z'))).toBe(false);
    expect(isWithinBusinessHours(hours, new Date('2026-12-29T16:00:00Z'))).toBe(true);
    expect(calendarOfBusinessHours(hours).overrides['2026-12-28']).toEqual([]);
  });

  it('is read by the voice webhook, which reads the hours alone', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'threadline-hours-')), 'policy.json');
    writeFileSync(file, withHours({ timezone: 'America/New_York', overrides: { '2026-12-28': [] } }));
    const rules = loadQueueRules(file);
    expect(
      rules.businessHours && isWithinBusinessHours(rules.businessHours, new Date('2026-12-28T16:00:00Z')),
    ).toBe(false);
  });

  it('refuses a window that is not a time, naming the date', () => {
    expect(() =>
      parseRoutingPolicy(
        withHours({ timezone: 'UTC', overrides: { '2026-12-24': [{ open: '9', close: '12:00' }] } }),
      ),
    ).toThrow(/businessHours\.overrides\.2026-12-24\[0\]\.open: /);
  });
});
