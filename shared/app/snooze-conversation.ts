import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { MAX_SNOOZE_MS, snoozedItem, snoozeTimer } from '../domain/snooze.js';
import type { Conversation } from '../domain/timeline.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.js';

/**
 * Snoozes an open conversation: out of the inbox until `until`, when a timer wakes it, or until the
 * customer writes. Snoozing again moves the time (the earlier timer is then stale).
 */
export async function snoozeConversation(
  deps: Pick<ConversationClockDeps, 'store' | 'timers' | 'clock'>,
  input: { conversationId: string; until: string; agentId: string },
): Promise<Conversation> {
  const { conversationId, agentId } = input;
  const until = new Date(input.until).toISOString();
  const now = deps.clock.now();
  const ahead = Date.parse(until) - now.getTime();
  if (ahead <= 0) throw new UnprocessableError('until must be in the future', 'snooze_in_past');
  if (ahead > MAX_SNOOZE_MS)
    throw new UnprocessableError('until is more than a year away', 'snooze_too_long');
  const conversation = await deps.store.getConversation(conversationId);
  if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
  if (conversation.status !== 'open' || !(await deps.store.snooze(conversationId, until))) {
    throw new ConflictError('only an open conversation can be snoozed', 'conversation_not_open');
  }
  await deps.timers.schedule(snoozeTimer(conversationId, until));
  const item = snoozedItem(conversation, { until, at: now.toISOString(), by: agentId });
  await deps.store.putTimelineItem(item, undefined);
  return { ...conversation, snoozedUntil: until };
}
