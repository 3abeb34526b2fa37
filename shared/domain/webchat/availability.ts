import { addBusinessTime, type Calendar } from '../sla/calendar.js';

/** Whether a person answers now, and if not, when they will; the widget says so and offers email. */
export interface Availability {
  open: boolean;
  /** The next opening, when closed now. */
  nextOpenAt?: string;
  timezone?: string;
  /**
   * `false` when no web-chat reply is emailed (WEBCHAT_EMAIL_FALLBACK_DELAY=off, or, in a session's
   * answer, the session has no verified email): the widget then promises no email. Absent, it is on.
   */
  emailFallback?: false;
}

/** Open now under the calendar (the routing policy's business hours), else its next opening. */
export function availabilityAt(hours: Calendar | undefined, now: Date, emailFallback = true): Availability {
  const off = emailFallback ? {} : { emailFallback: false as const };
  if (!hours) return { open: true, ...off };
  const next = addBusinessTime(hours, now, 0);
  if (next && next.getTime() <= now.getTime()) return { open: true, timezone: hours.timezone, ...off };
  const nextOpenAt = next ? { nextOpenAt: next.toISOString() } : {};
  return { open: false, timezone: hours.timezone, ...nextOpenAt, ...off };
}
