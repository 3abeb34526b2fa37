import type { Channel } from '../envelope.js';
import { isWithinBusinessHours } from './business-hours.js';
import { findKeyword } from './keywords.js';
import { type BusinessHours, languageMatches, type Queue, type RoutingPolicy } from './policy.js';

/** What queue selection looks at. */
export interface QueueCriteria {
  channel: Channel;
  language?: string | undefined;
  text?: string | undefined;
}

function queueMatches(queue: Queue, message: QueueCriteria): boolean {
  if (!queue.channels && !queue.languages && !queue.keywords) return false;
  if (queue.channels && !queue.channels.includes(message.channel)) return false;
  if (queue.languages && !(message.language && languageMatches(queue.languages, message.language))) {
    return false;
  }
  if (queue.keywords && !findKeyword(message.text ?? '', queue.keywords)) return false;
  return true;
}

/** The first queue, in policy order, whose every stated criterion matches; else the default queue. */
export function selectQueue(policy: RoutingPolicy, message: QueueCriteria): string {
  return policy.queues.find((queue) => queueMatches(queue, message))?.name ?? policy.defaultQueue;
}

/** A queue's own business hours, else the policy's; undefined means always open. */
export function businessHoursOf(policy: RoutingPolicy, queue: string): BusinessHours | undefined {
  return policy.queues.find((q) => q.name === queue)?.businessHours ?? policy.businessHours;
}

/** Whether the queue's business hours are over at `now` (a queue without hours never closes). */
export function isAfterHours(policy: RoutingPolicy, queue: string, now: Date): boolean {
  const hours = businessHoursOf(policy, queue);
  return hours !== undefined && !isWithinBusinessHours(hours, now);
}
