// The calendar's schemas, apart from its arithmetic (calendar.ts): a function that only reads the clock
// against hours (the voice webhook's closed greeting) then bundles no zod schema.
import * as z from 'zod';

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
