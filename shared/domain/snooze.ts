import { newTimer, type Timer } from './timer-ports.js';

/** The longest a conversation may be snoozed. */
export const MAX_SNOOZE_MS = 365 * 86_400_000;

/** The timer that wakes a conversation snoozed until `until`; its version is that time. */
export function snoozeTimer(conversationId: string, until: string): Timer {
  return newTimer({ kind: 'snooze_wake', subject: conversationId, version: until, dueAt: until });
}
