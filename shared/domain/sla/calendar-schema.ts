// The calendar's schemas, apart from its arithmetic (calendar.ts): a function that only reads the clock
// against hours (the voice webhook's closed greeting) then bundles no zod schema.
import * as z from 'zod';
import { canonicalZoneFor, isCanonicalZone } from './time-zone-names.js';

const DateSchema = z.iso.date();
const TimeSchema = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time of day "HH:MM" (00:00 to 24:00)');
// UTC by any of its names: no daylight saving to keep, and none promised.
const UTC_NAMES = /^(etc\/)?(utc|uct|gmt|gmt0|gmt[+-]0|universal|zulu|greenwich)$/i;
const FIXED_OFFSET = /^etc\/gmt([+-])(\d{1,2})$/i;

/** The zone's UTC offset on a date, as Intl writes it ("GMT-05:00"). */
function offsetOn(zone: string, date: Date): string | undefined {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    timeZoneName: 'longOffset',
  }).formatToParts(date);
  return parts.find((part) => part.type === 'timeZoneName')?.value;
}

/**
 * Why a zone name cannot be the wall clock of a team's hours, or undefined: only an IANA name of a
 * place as the database writes it now (`America/New_York`), or `UTC`. Refused besides names the
 * runtime does not know: a space around it; an abbreviation or legacy name (`EST` reads as
 * America/Panama, with no daylight saving, where its writer meant New York); a fixed offset
 * (`Etc/GMT+1`, its sign reversed), as the hours would be an hour off for half the year where the
 * README promises daylight saving included; and an alias, an old name or another case
 * (`US/Eastern`, `Asia/Calcutta`, `GMT`, `america/new_york`), each told the name to write.
 */
export function timeZoneProblem(zone: string): string | undefined {
  if (zone !== zone.trim()) return `"${zone}" has a space at its start or end: remove the space`;
  if (isCanonicalZone(zone)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-GB', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return 'not an IANA time zone (for example "Europe/Paris")';
  }
  if (UTC_NAMES.test(zone)) return `"${zone}" is another name of UTC: write "UTC"`;
  const place = 'write the place whose clock the team keeps ("America/New_York", "Europe/Paris")';
  const fixed = FIXED_OFFSET.exec(zone);
  if (fixed) {
    const utc = `UTC${fixed[1] === '+' ? '-' : '+'}${Number(fixed[2])}`;
    return `"${zone}" is a fixed offset (its sign reversed: ${utc}), without daylight saving: ${place}, or "UTC"`;
  }
  const meant = canonicalZoneFor(zone, resolved);
  if (meant && zone.toLowerCase() === meant.toLowerCase()) {
    return `"${zone}" is written "${meant}" in the IANA database: write it so`;
  }
  if (zone.includes('/') && meant)
    return `"${zone}" is an old name or an alias of "${meant}": write "${meant}"`;
  if (zone.includes('/')) return `"${zone}" is not the IANA name of a place now: ${place}`;
  const saving =
    offsetOn(resolved, new Date(Date.UTC(2026, 0, 15))) !==
    offsetOn(resolved, new Date(Date.UTC(2026, 6, 15)));
  return `"${zone}" is an abbreviation or a legacy name, not a place: it reads as ${meant ?? resolved}, ${saving ? 'with' : 'without'} daylight saving; ${place}`;
}

/** An IANA time zone named by its place (`Europe/Paris`), or UTC: the wall clock of a calendar or of business hours. */
export const TimeZoneSchema = z.string().superRefine((zone, ctx) => {
  const problem = timeZoneProblem(zone);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

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

/** Dates with their own windows instead of the week's (`[]`: closed all day): an SLA calendar's and business hours'. */
export const OverridesSchema = z.record(DateSchema, z.array(DateWindowSchema).max(10)).default({});

/**
 * A business calendar: weekly windows (several a day, past midnight), holidays (closed) and date
 * overrides (these windows instead of the week's; `[]` is closed), on the wall clock of one IANA zone.
 */
export const CalendarSchema = z.strictObject({
  $comment: z.string().optional(),
  timezone: TimeZoneSchema,
  hours: z.array(WeekWindowSchema).min(1).max(50),
  holidays: HolidaysSchema,
  overrides: OverridesSchema,
});
export type Calendar = z.infer<typeof CalendarSchema>;
