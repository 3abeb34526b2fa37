import type { ConversationClockDeps } from '../domain/clock-ports.js';
import type { Conversation } from '../domain/timeline.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { wakeConversation } from './wake-conversation.js';

/**
 * An agent wakes a snoozed conversation before its time; `409` `conversation_not_snoozed` when it is not.
 * Read strongly: an eventually consistent read right after a snooze (or after a snooze moved its time)
 * may show the conversation as it was before, and refuse a wake or end a snooze that is over.
 */
export async function wakeConversationNow(
  deps: Pick<ConversationClockDeps, 'store' | 'timers' | 'clock'>,
  input: { conversationId: string; agentId: string },
): Promise<Conversation> {
  const conversation = await deps.store.getConversation(input.conversationId, { consistent: true });
  if (!conversation) throw new NotFoundError(`no conversation ${input.conversationId}`);
  const until = conversation.snoozedUntil;
  const woke =
    until !== undefined &&
    (await wakeConversation(deps, { conversation, until, reason: 'agent', by: input.agentId }));
  if (!woke) throw new ConflictError('the conversation is not snoozed', 'conversation_not_snoozed');
  const { snoozedUntil: _, ...awake } = conversation;
  return awake;
}
