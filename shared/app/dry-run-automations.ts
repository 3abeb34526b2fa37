import { DRY_RUN_RECENT_ITEMS, type DryRun, itemTrigger } from '../domain/automations/dry-run.js';
import { failedCondition } from '../domain/automations/rules.js';
import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { conversationLanguage } from '../domain/routing/message-language.js';
import { businessHoursOf } from '../domain/routing/queues.js';
import { NotFoundError, UnavailableError } from '../errors.js';

/**
 * Which automation rules would fire on a conversation now: its conditions checked against the
 * conversation as it is, its trigger's latest occurrence and its last firing from the customer's
 * recent items. Reads the conversation, the customer and a bounded page of recent items; changes nothing.
 */
export async function dryRunAutomations(
  deps: ConversationClockDeps,
  conversationId: string,
): Promise<DryRun> {
  const ports = deps.automations;
  if (!ports) throw new UnavailableError('automations are not configured');
  const conversation = await deps.store.getConversation(conversationId);
  if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
  const customer = await deps.store.getCustomer(conversation.customerId);
  const now = deps.clock.now();
  const recent = (await ports.recentTimeline([conversation.customerId], DRY_RUN_RECENT_ITEMS)).filter(
    (i) => i.conversationId === conversation.id,
  );
  const latest = new Map<string, string>([['conversation_opened', conversation.createdAt]]);
  const fired = new Map<string, string>();
  let resolved = false;
  for (const item of recent) {
    const trigger = itemTrigger(item);
    if (trigger) latest.set(trigger, item.at);
    // The customer's first message after a resolve reopened it: that opened it again.
    if (trigger === 'conversation_resolved') resolved = true;
    else if (trigger === 'message_received' && resolved) {
      latest.set('conversation_opened', item.at);
      resolved = false;
    }
    if (item.event === 'automation' && typeof item.data?.rule === 'string')
      fired.set(item.data.rule, item.at);
  }
  const businessHours = businessHoursOf(deps.policy, conversation.queue);
  const language = conversationLanguage(conversation);
  const subject = { conversation, tags: customer?.tags ?? [], now, businessHours, language };
  const rules = (deps.policy.automations ?? []).map((rule) => {
    const failed = failedCondition(rule.conditions, subject);
    const lastTriggeredAt = latest.get(rule.trigger);
    const firedAt = fired.get(rule.name);
    const firedOnLatest =
      firedAt !== undefined && lastTriggeredAt !== undefined && firedAt >= lastTriggeredAt;
    return {
      rule: rule.name,
      trigger: rule.trigger,
      ...(rule.delay ? { delay: rule.delay } : {}),
      wouldFire: !failed && !firedOnLatest,
      ...(failed ? { failed } : {}),
      ...(lastTriggeredAt ? { lastTriggeredAt } : {}),
      ...(firedAt ? { firedAt } : {}),
    };
  });
  return { conversationId: conversation.id, at: now.toISOString(), rules };
}
