import { calendarOfBusinessHours, isOpenAt, type OpeningHours } from '../sla/calendar.js';

/**
 * Whether `now` falls in one of the opening windows and not on a holiday, on the schedule's own wall
 * clock (DST included): the SLA calendars' rule, so routing, the web chat's next opening and the
 * response targets agree on when the team is there.
 */
export function isWithinBusinessHours(hours: OpeningHours, now: Date): boolean {
  return isOpenAt(calendarOfBusinessHours(hours), now);
}
