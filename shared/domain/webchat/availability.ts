import { addBusinessTime, type Calendar } from '../sla/calendar.js';

/** Whether a person answers now, and if not, when they will; the widget says so and offers email. */
export interface Availability {
  open: boolean;
  /** The next opening, when closed now. */
  nextOpenAt?: string;
  timezone?: string;
}

/** Open now under the calendar (the routing policy's business hours), else its next opening. */
export function availabilityAt(hours: Calendar | undefined, now: Date): Availability {
  if (!hours) return { open: true };
  const next = addBusinessTime(hours, now, 0);
  if (next && next.getTime() <= now.getTime()) return { open: true, timezone: hours.timezone };
  return { open: false, timezone: hours.timezone, ...(next ? { nextOpenAt: next.toISOString() } : {}) };
}
