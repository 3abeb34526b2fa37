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

/** The target's timeline event of a merge, keyed on the time the source was merged at. */
export function mergeEvent(targetId: string, sourceId: string, at: string, agentId: string): TimelineItem {
  return eventItem(targetId, at, `merge:${sourceId}:${at}`, 'merge', { customerId: sourceId, by: agentId });
}
