import * as z from 'zod';
import type { TimelineItem } from '../timeline.js';
import { type AutomationTrigger, AutomationTriggerSchema } from './rules.js';

/** How many of the customer's most recent items a dry run reads: never the whole timeline. */
export const DRY_RUN_RECENT_ITEMS = 50;

/** One rule in a dry run: whether it would fire on the conversation as it is now, and why not. */
export const DryRunRuleSchema = z.object({
  rule: z.string(),
  trigger: AutomationTriggerSchema,
  delay: z.string().optional(),
  /** Its conditions hold now and it has not fired on the latest occurrence of its trigger. */
  wouldFire: z.boolean(),
  /** The first condition that does not hold now. */
  failed: z.string().optional(),
  /** The latest occurrence of its trigger among the recent items (or the conversation's opening). */
  lastTriggeredAt: z.iso.datetime().optional(),
  /** When it fired last, among the recent items. */
  firedAt: z.iso.datetime().optional(),
});
export type DryRunRule = z.infer<typeof DryRunRuleSchema>;

/** The answer of `POST /api/automations/dry-run`. */
export const DryRunSchema = z.object({
  conversationId: z.string(),
  at: z.iso.datetime(),
  rules: z.array(DryRunRuleSchema),
});
export type DryRun = z.infer<typeof DryRunSchema>;

/** The trigger a timeline item of a conversation is an occurrence of, if any. */
export function itemTrigger(item: TimelineItem): AutomationTrigger | undefined {
  if (item.type === 'message') {
    if (item.direction === 'inbound') return 'message_received';
    const author = item.data?.author as { kind?: string } | undefined;
    return author?.kind === 'agent' ? 'agent_replied' : undefined;
  }
  if (item.event === 'resolved') return 'conversation_resolved';
  if (item.event === 'sla_warning' || item.event === 'sla_breached') return item.event;
  return undefined;
}
