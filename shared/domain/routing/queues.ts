import type { Channel } from '../envelope.js';
import type { OpeningHours } from '../sla/calendar.js';
import { isWithinBusinessHours } from './business-hours.js';
import { findKeyword } from './keywords.js';
import { languageMatches } from './language-match.js';
import { cameInOn } from './receiving-address.js';

/** What queue selection looks at. */
export interface QueueCriteria {
  channel: Channel;
  language?: string | undefined;
  text?: string | undefined;
  /** The addresses of ours the message came in on (`receivingAddresses`); none: it matches no `to`. */
  to?: readonly string[] | undefined;
}

/**
 * What selection and the hours read of a policy's queue (a `Queue` of the policy is one); this module
 * imports no schema, so a function that only answers by the hours bundles none.
 */
export interface QueueRule<Hours extends OpeningHours = OpeningHours> {
  name: string;
  channels?: readonly Channel[] | undefined;
  languages?: readonly string[] | undefined;
  keywords?: readonly string[] | undefined;
  /** Our receiving addresses (a number, a phone number id, an email address, a site's origin, a Page id). */
  to?: readonly string[] | undefined;
  businessHours?: Hours | undefined;
}

/** What selection and the hours read of a routing policy (a `RoutingPolicy` is one). */
export interface QueueRules<Hours extends OpeningHours = OpeningHours> {
  queues: readonly QueueRule<Hours>[];
  defaultQueue: string;
  businessHours?: Hours | undefined;
}

function queueMatches(queue: QueueRule, message: QueueCriteria): boolean {
  if (!queue.channels && !queue.languages && !queue.keywords && !queue.to) return false;
  if (queue.channels && !queue.channels.includes(message.channel)) return false;
  if (queue.to && !cameInOn(queue.to, message.to)) return false;
  if (queue.languages && !(message.language && languageMatches(queue.languages, message.language))) {
    return false;
  }
  if (queue.keywords && !findKeyword(message.text ?? '', queue.keywords)) return false;
  return true;
}

/** The first queue, in policy order, whose every stated criterion matches; else the default queue. */
export function selectQueue(policy: QueueRules, message: QueueCriteria): string {
  return policy.queues.find((queue) => queueMatches(queue, message))?.name ?? policy.defaultQueue;
}

/** A queue's own business hours, else (or with no queue) the policy's; undefined means always open. */
export function businessHoursOf<Hours extends OpeningHours>(
  policy: QueueRules<Hours>,
  queue: string | undefined,
): Hours | undefined {
  return policy.queues.find((q) => q.name === queue)?.businessHours ?? policy.businessHours;
}

/** Whether the queue's business hours are over at `now` (a queue without hours never closes). */
export function isAfterHours(policy: QueueRules, queue: string, now: Date): boolean {
  const hours = businessHoursOf(policy, queue);
  return hours !== undefined && !isWithinBusinessHours(hours, now);
}

/**
 * Whether a phone call at `now` comes after hours: the hours of the queue a call is chosen by its
 * channel alone (on ringing the caller has said nothing, and no customer is read), as selectQueue
 * chooses it. The queue is chosen once here; each call then only reads the clock against its hours.
 */
export function callAfterHours(policy: QueueRules): (now: Date) => boolean {
  const queue = selectQueue(policy, { channel: 'voice' });
  return (now) => isAfterHours(policy, queue, now);
}
