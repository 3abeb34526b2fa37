import type * as z from 'zod';
import type { BusinessHours } from '../routing/policy.js';
import type { SlaSection } from './policy.js';

/** Adds an issue for each SLA policy whose calendar is not defined (`businessHours` needs the policy's). */
export function checkSlaCalendars(
  policy: { sla: SlaSection; businessHours?: BusinessHours | undefined },
  ctx: z.RefinementCtx,
): void {
  policy.sla.policies.forEach((sla, i) => {
    if (sla.calendar === false || policy.sla.calendars[sla.calendar]) return;
    if (sla.calendar === 'businessHours' && policy.businessHours) return;
    ctx.addIssue({
      code: 'custom',
      path: ['sla', 'policies', i, 'calendar'],
      message: `"${sla.calendar}" is not a calendar in sla.calendars (nor "businessHours" with businessHours set)`,
    });
  });
}
