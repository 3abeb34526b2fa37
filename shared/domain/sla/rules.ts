import type * as z from 'zod';
import type { BusinessHours } from '../routing/policy.js';
import { businessHoursOf, type QueueRules } from '../routing/queues.js';
import type { SlaSection } from './policy.js';
import type { SlaRules } from './state.js';

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
