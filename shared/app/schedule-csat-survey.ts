import type { ClockEvent, ConversationClockDeps } from '../domain/clock-ports.js';
import { csatExclusion } from '../domain/csat/section.js';
import { durationMs } from '../domain/sla/duration.js';
import type { Conversation } from '../domain/timeline.js';
import { newTimer } from '../domain/timer-ports.js';

/**
 * Sets the survey timer of a resolve (`csat` timer, version: the resolve's time), unless the policy
 * has no survey, the resolve said `csat: false`, or the customer's tags or the queue are excluded.
 * Setting it twice is one timer; a reopen or a later resolve makes it stale.
 */
export async function scheduleCsatSurvey(
  deps: ConversationClockDeps,
  conversation: Conversation,
  event: Extract<ClockEvent, { type: 'resolved' }>,
): Promise<void> {
  const section = deps.policy.csat;
  if (!section?.enabled || event.csat === false || !deps.csat) return;
  if (conversation.status !== 'resolved' || conversation.resolvedAt !== event.at) return;
  const customer = await deps.store.getCustomer(conversation.customerId);
  if (csatExclusion(section, { tags: customer?.tags ?? [], queue: conversation.queue })) return;
  const dueAt = new Date(Date.parse(event.at) + (durationMs(section.delay) ?? 0)).toISOString();
  await deps.timers.schedule(newTimer({ kind: 'csat', subject: conversation.id, version: event.at, dueAt }));
}
