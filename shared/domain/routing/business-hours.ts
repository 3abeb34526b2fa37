import { calendarOfBusinessHours, isOpenAt } from '../sla/calendar.js';
import type { BusinessHours } from './policy.js';

/**
 * Whether `now` falls in one of the opening windows and not on a holiday, on the schedule's own wall
 * clock (DST included): the SLA calendars' rule, so routing, the web chat's next opening and the
 * response targets agree on when the team is there.
 */
export function isWithinBusinessHours(hours: BusinessHours, now: Date): boolean {
  return isOpenAt(calendarOfBusinessHours(hours), now);
}
