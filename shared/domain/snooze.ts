import * as z from 'zod';
import type { TimelineItem } from './timeline.js';
import { newTimer, type Timer } from './timer-ports.js';

/** What ended a snooze: its time came, the customer wrote, or an agent woke it. */
export const WakeReasonSchema = z.enum(['timer', 'customer', 'agent']);
export type WakeReason = z.infer<typeof WakeReasonSchema>;

/** The longest a conversation may be snoozed. */
export const MAX_SNOOZE_MS = 365 * 86_400_000;

/** The timer that wakes a conversation snoozed until `until`; its version is that time. */
export function snoozeTimer(conversationId: string, until: string): Timer {
  return newTimer({ kind: 'snooze_wake', subject: conversationId, version: until, dueAt: until });
}

/**
 * The timeline's `snoozed` event of a snooze until `until` (by an agent, or `automation`), one per
 * conversation and time: a snooze asked again writes the same item, and `conversation.snoozed` once.
 */
export function snoozedItem(
  conversation: { id: string; customerId: string },
  input: { until: string; at: string; by: string },
): TimelineItem {
  return {
    id: `snoozed:${conversation.id}:${input.until}`,
    type: 'event',
    event: 'snoozed',
    at: input.at,
    customerId: conversation.customerId,
    conversationId: conversation.id,
    data: { conversationId: conversation.id, until: input.until, by: input.by },
  };
}
