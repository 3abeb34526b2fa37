import { type AutomationRule, rulesFor } from '../domain/automations/rules.js';
import { occurrenceVersion, type TriggerOccurrence } from '../domain/automations/triggers.js';
import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { durationMs } from '../domain/sla/duration.js';
import type { Conversation } from '../domain/timeline.js';
import { newTimer, type Timer } from '../domain/timer-ports.js';
import { fireAutomationRule } from './fire-automation-rule.js';

/** A delayed rule's timer: it names the rule and trigger, and its version is the occurrence's key. */
function automationTimer(rule: AutomationRule, occurrence: TriggerOccurrence): Timer {
  const dueAt = new Date(Date.parse(occurrence.at) + (durationMs(rule.delay ?? '') ?? 0)).toISOString();
  return newTimer({
    kind: 'automation',
    subject: occurrence.conversationId,
    version: occurrenceVersion(occurrence),
    detail: rule.name,
    dueAt,
  });
}

/**
 * Runs the automations a trigger sets off: a rule without a delay fires now (if its conditions hold
 * on the conversation as it is after the trigger), one with a delay sets a timer that checks them
 * then. Each rule fires at most once per occurrence; without automation ports it does nothing.
 */
export async function runAutomations(
  deps: ConversationClockDeps,
  occurrence: TriggerOccurrence,
): Promise<void> {
  const rules = rulesFor(deps.policy.automations ?? [], occurrence.trigger);
  const ports = deps.automations;
  if (!rules.length || !ports) return;
  let conversation: Conversation | undefined;
  for (const rule of rules) {
    if (rule.delay) {
      await deps.timers.schedule(automationTimer(rule, occurrence));
      continue;
    }
    conversation ??= await deps.store.getConversation(occurrence.conversationId);
    if (!conversation) return;
    const outcome = await fireAutomationRule(
      { ...deps, automations: ports },
      { conversation, rule, occurrence, at: occurrence.at },
    );
    // An action may have changed the conversation: the next rule reads it afresh.
    if (outcome.fired) conversation = undefined;
  }
}
