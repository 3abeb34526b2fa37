import type { AutomationTrigger } from '../domain/automations/rules.js';
import { AutomationTriggerSchema } from '../domain/automations/rules.js';
import { isSuperseded, type TriggerOccurrence } from '../domain/automations/triggers.js';
import type { ConversationClockDeps } from '../domain/clock-ports.js';
import type { Conversation } from '../domain/timeline.js';
import type { Timer } from '../domain/timer-ports.js';
import { fireAutomationRule } from './fire-automation-rule.js';

/** The occurrence a delayed rule's timer was set for (its version is `trigger@key`), or undefined. */
function occurrenceOf(timer: Timer): TriggerOccurrence | undefined {
  const at = timer.version.indexOf('@');
  const trigger = AutomationTriggerSchema.safeParse(timer.version.slice(0, at));
  if (at < 0 || !trigger.success) return undefined;
  const key = timer.version.slice(at + 1);
  const trigger_: AutomationTrigger = trigger.data;
  // A clock trigger's key is when it happened; an SLA one's ends with its deadline.
  const when = key.slice(key.lastIndexOf('/') + 1);
  return {
    trigger: trigger_,
    conversationId: timer.subject,
    key,
    at: Number.isNaN(Date.parse(when)) ? timer.dueAt : when,
  };
}

/**
 * Fires a delayed automation rule: only if the rule still exists for that trigger, the timer is not
 * superseded, the rule has not fired for this occurrence, and its conditions still hold now; otherwise
 * it is stale and dropped (the log line says which condition failed).
 */
export async function fireAutomationTimer(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
): Promise<boolean> {
  const occurrence = occurrenceOf(timer);
  const rule = deps.policy.automations?.find((r) => r.name === timer.detail);
  if (!occurrence || !rule || rule.trigger !== occurrence.trigger || !deps.automations) return false;
  if (isSuperseded(conversation, occurrence)) return false;
  const outcome = await fireAutomationRule(
    { ...deps, automations: deps.automations },
    { conversation, rule, occurrence, at: timer.dueAt },
  );
  if (!outcome.fired && outcome.failed) {
    deps.log?.('info', 'delayed automation dropped', {
      rule: rule.name,
      failed: outcome.failed,
      conversationId: conversation.id,
    });
  }
  return outcome.fired;
}
