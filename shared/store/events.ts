import type { TimelineItem } from '../domain/timeline.js';

/** A timeline event (merge, assignment, resolution...) as the repositories that make changes record it. */
export function eventItem(
  customerId: string,
  at: string,
  id: string,
  event: string,
  data: Record<string, unknown>,
): TimelineItem {
  return { id, type: 'event', event, at, customerId, data };
}
