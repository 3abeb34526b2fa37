import type { AutomationPorts } from '../domain/automation-ports.js';
import { type AutomationRule, failedCondition, replyInLanguage } from '../domain/automations/rules.js';
import type { TriggerOccurrence } from '../domain/automations/triggers.js';
import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { conversationLanguage } from '../domain/routing/message-language.js';
import { businessHoursOf } from '../domain/routing/queues.js';
import type { Conversation } from '../domain/timeline.js';
import { runAutomationActions } from './run-automation-actions.js';

/** What firing a rule did: fired, had fired before (its marker is there), or a condition failed. */
export type RuleOutcome = { fired: true } | { fired: false; already?: true; failed?: string };

/** The id of the `automation` event a rule leaves on the timeline: its once-per-occurrence marker. */
const markerId = (rule: AutomationRule, occurrence: TriggerOccurrence) =>
  `automation:${occurrence.conversationId}:${rule.name}:${occurrence.trigger}:${occurrence.key}`;

/**
 * Fires one rule on a conversation, at most once per trigger occurrence: if its conditions hold at
 * `at`, its actions (each idempotent; a reply in the conversation's language when `byLanguage` has it), then the `automation` event saying what each did or why it
 * skipped. The event is the marker a redelivered trigger or a twice-fired timer finds.
 */
export async function fireAutomationRule(
  deps: ConversationClockDeps & { automations: AutomationPorts },
  input: { conversation: Conversation; rule: AutomationRule; occurrence: TriggerOccurrence; at: string },
): Promise<RuleOutcome> {
  const { conversation, rule, occurrence, at } = input;
  const id = markerId(rule, occurrence);
  if (await deps.automations.getTimelineItem(conversation.customerId, at, id)) {
    return { fired: false, already: true };
  }
  const customer = await deps.store.getCustomer(conversation.customerId);
  // Found in the conversation in hand (its preview), as the survey's language is: no read.
  const language = conversationLanguage(conversation);
  const failed = failedCondition(rule.conditions, {
    conversation,
    tags: customer?.tags ?? [],
    now: new Date(at),
    businessHours: businessHoursOf(deps.policy, conversation.queue),
    language,
  });
  if (failed) return { fired: false, failed };
  const inLanguage = rule.actions.map((action) => replyInLanguage(action, language));
  const actions = await runAutomationActions(deps, { conversation, actions: inLanguage, key: id, at });
  await deps.store.putTimelineItem(
    {
      id,
      type: 'event',
      event: 'automation',
      at,
      customerId: conversation.customerId,
      conversationId: conversation.id,
      data: {
        conversationId: conversation.id,
        rule: rule.name,
        trigger: occurrence.trigger,
        triggeredAt: occurrence.at,
        ...(rule.delay ? { delay: rule.delay } : {}),
        actions,
      },
    },
    undefined,
  );
  deps.log?.('info', 'automation fired', {
    rule: rule.name,
    trigger: occurrence.trigger,
    conversationId: conversation.id,
  });
  return { fired: true };
}
