import type * as z from 'zod';
import type { BusinessHours } from '../routing/policy.js';
import { businessHoursOf, type QueueRules } from '../routing/queues.js';
import { type Calendar, calendarOfBusinessHours } from './calendar.js';
import type { SlaPolicy, SlaSection } from './policy.js';

/** What SLA arithmetic needs from the routing policy: the section and the business hours. */
export interface SlaRules {
  sla: SlaSection;
  businessHours?: BusinessHours | undefined;
}

/**
 * The policy an SLA runs under, by the name it keeps. One taken out of (or renamed in) the routing
 * policy while conversations ran under it is `retired`: a stand-in with no targets of its own, so the
 * deadlines already on the SLA are met, missed and ended as before (a paused resolution runs on with
 * what was left), but no new target starts, no breach action runs, AI answers do not count, and time
 * counts around the clock.
 */
export function slaPolicyOf(rules: SlaRules, name: string): { policy: SlaPolicy; retired: boolean } {
  const policy = rules.sla.policies.find((p) => p.name === name);
  if (policy) return { policy, retired: false };
  const retired: SlaPolicy = {
    name,
    match: {},
    calendar: false,
    aiRepliesCount: false,
    warnAt: 0.8,
    onBreach: [],
  };
  return { policy: retired, retired: true };
}

/**
 * The calendar a policy counts in; undefined for around the clock. `businessHours` is the rules' hours
 * (the conversation's queue's, `slaRulesIn`): without any, humans are always there.
 */
export function slaCalendar(rules: SlaRules, policy: SlaPolicy): Calendar | undefined {
  if (policy.calendar === false) return undefined;
  const named = rules.sla.calendars[policy.calendar];
  if (named) return named;
  if (policy.calendar === 'businessHours')
    return rules.businessHours && calendarOfBusinessHours(rules.businessHours);
  throw new RangeError(`no calendar "${policy.calendar}"`);
}

/** The names a policy's `calendar` may take: the section's calendars, and `businessHours` when set. */
export function calendarNames(rules: SlaRules): string[] {
  return [...Object.keys(rules.sla.calendars), ...(rules.businessHours ? ['businessHours'] : [])];
}

/**
 * Adds an issue for each SLA policy whose calendar is not defined (`businessHours` needs business hours:
 * the policy's, or a queue's own).
 */
export function checkSlaCalendars(
  policy: QueueRules<BusinessHours> & { sla: SlaSection },
  ctx: z.RefinementCtx,
): void {
  const hours = policy.businessHours !== undefined || policy.queues.some((q) => q.businessHours);
  policy.sla.policies.forEach((sla, i) => {
    if (sla.calendar === false || policy.sla.calendars[sla.calendar]) return;
    if (sla.calendar === 'businessHours' && hours) return;
    ctx.addIssue({
      code: 'custom',
      path: ['sla', 'policies', i, 'calendar'],
      message: `"${sla.calendar}" is not a calendar in sla.calendars (nor "businessHours" with businessHours set)`,
    });
  });
}

/**
 * The SLA rules of a conversation in `queue`: the `businessHours` calendar is that queue's own hours,
 * else the policy's, as routing, the voice greeting and automations read them (none: around the clock).
 * Read at each event, so a conversation moved to another queue counts the targets its next events set
 * in the new queue's hours; a deadline already set stays as it was computed.
 */
export function slaRulesIn(
  policy: QueueRules<BusinessHours> & { sla: SlaSection },
  queue: string | undefined,
): SlaRules {
  return { sla: policy.sla, businessHours: businessHoursOf(policy, queue) };
}
