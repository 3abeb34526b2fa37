import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { TrackClock } from '#shared/domain/clock-ports.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { type TakeNextWaitingDeps, takeNextWaiting } from './take-next-waiting.js';

/**
 * Resolves a conversation as the agent, who then has room again: the longest-waiting conversation of
 * their queues becomes theirs. Answers the resolved conversation.
 */
export async function resolveConversation(
  deps: TakeNextWaitingDeps & {
    store: Pick<AgentStore, 'getConversation'>;
    admin: Pick<AgentAdmin, 'resolveConversation'>;
    track?: TrackClock | undefined;
  },
  conversationId: string,
  agentId: string,
  options: { csat?: boolean | undefined } = {},
): Promise<Conversation | undefined> {
  const at = deps.clock.now().toISOString();
  await deps.admin.resolveConversation(conversationId, agentId, at);
  await deps.track?.({
    type: 'resolved',
    conversationId,
    at,
    ...(options.csat === false ? { csat: false } : {}),
  });
  await takeNextWaiting(deps, agentId);
  return deps.store.getConversation(conversationId);
}
