// The days and dates the panel names: the log's day lines and the next opening.
import { isolatedDate } from '#shared/domain/bidi.js';
import type { Availability as Hours } from './api.js';

/** Midnight (local) of the day of `date`, in ms. */
const dayStart = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();

/** A day in the log's line above its messages: "Today", "Yesterday", else its date ("Thursday, December 3"). */
export function dayName(at: string): string {
  const when = new Date(at);
  const now = new Date();
  const ago = Math.round((dayStart(now) - dayStart(when)) / 86_400_000);
  if (ago === 0) return 'Today';
  if (ago === 1) return 'Yesterday';
  const year = when.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' as const };
  return when.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric', ...year });
}

/**
 * When a person answers next, as the visitor reads it ("Mon, 09:00"; more than 6 days away with its
 * date, "Mon, Jan 7, 09:00", a weekday alone would read as this week's), or "soon".
 */
export function nextOpening(hours: Hours | undefined): string {
  if (!hours?.nextOpenAt) return 'soon';
  const when = new Date(hours.nextOpenAt);
  const far: Intl.DateTimeFormatOptions =
    when.getTime() - Date.now() > 6 * 86_400_000 ? { month: 'short', day: 'numeric' } : {};
  return isolatedDate(
    when.toLocaleString(undefined, { weekday: 'short', ...far, hour: '2-digit', minute: '2-digit' }),
  );
}
