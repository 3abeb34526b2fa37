import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { snoozeTimer, type WakeReason } from '../domain/snooze.js';
import type { Conversation } from '../domain/timeline.js';

/**
 * Puts a snoozed conversation back in the inbox (its time came, the customer wrote, or an agent woke
 * it), once: only while it is still snoozed until the same time, so a late or repeated wake-up does
 * nothing. The event goes first, so a retry after a crash still finds the conversation snoozed and
 * completes it.
 */
export async function wakeConversation(
  deps: Pick<ConversationClockDeps, 'store' | 'timers' | 'clock'>,
  input: { conversation: Conversation; until: string; reason: WakeReason; by?: string },
): Promise<boolean> {
  const { conversation, until, reason } = input;
  if (conversation.snoozedUntil !== until || conversation.status !== 'open') return false;
  await deps.store.putTimelineItem(
    {
      id: `woke:${conversation.id}:${until}`,
      type: 'event',
      event: 'woke',
      at: reason === 'timer' ? until : deps.clock.now().toISOString(),
      customerId: conversation.customerId,
      conversationId: conversation.id,
      data: {
        conversationId: conversation.id,
        snoozedUntil: until,
        reason,
        ...(input.by ? { by: input.by } : {}),
      },
    },
    undefined,
  );
  if (!(await deps.store.wake(conversation.id, until))) return false;
  if (reason !== 'timer') await deps.timers.cancel(snoozeTimer(conversation.id, until).id);
  return true;
}
