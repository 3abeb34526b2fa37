import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { TrackClock } from '#shared/domain/clock-ports.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { type TakeNextWaitingDeps, takeNextWaiting } from './take-next-waiting.js';

/**
 * Resolves a conversation as the agent, who then has room again: the longest-waiting conversation of
 * their queues becomes theirs. Answers the resolved conversation. Resolved already (a second click,
 * two agents at once, a retry), the first resolve stands: its clock is told again with its own time,
 * which repeats nothing and completes what a crash left (the survey's timer, the targets' end).
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
  const at = await deps.admin.resolveConversation(conversationId, agentId, deps.clock.now().toISOString());
  if (at !== undefined) {
    await deps.track?.({
      type: 'resolved',
      conversationId,
      at,
      ...(options.csat === false ? { csat: false } : {}),
    });
  }
  await takeNextWaiting(deps, agentId);
  // Read strongly: an eventually consistent read may not see the write just made.
  return deps.store.getConversation(conversationId, { consistent: true });
}
