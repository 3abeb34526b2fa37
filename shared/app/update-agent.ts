import type { AgentStore } from '#shared/domain/agent-ports.js';
import { type AgentProfile, type AgentUpdate, applyAgentUpdate } from '#shared/domain/assignment.js';
import { refuseUnknownQueues } from './assign-conversation.js';
import { type ReturnHeldDeps, returnHeldConversations } from './return-held-conversations.js';
import { type TakeNextWaitingDeps, takeNextWaiting } from './take-next-waiting.js';

/**
 * Registers or updates the calling agent (only the fields given change). Setting Away hands
 * the conversations of theirs that wait on the business back to their queue (`returnHeldConversations`);
 * otherwise they take the longest waiting conversations of their queues, up to their room, when they can
 * take any (`takeNextWaiting` reads nothing more when they cannot). Queues the routing policy does not
 * name are refused (422 `unknown_queue`, nothing saved): an online agent in a mistyped queue gets no hand-off.
 */
export async function updateAgent(
  deps: TakeNextWaitingDeps & {
    store: Pick<AgentStore, 'getAgent' | 'putAgent' | 'heldConversations'> & ReturnHeldDeps['store'];
    queueNames?: (() => readonly string[]) | undefined;
  },
  agentId: string,
  update: AgentUpdate,
): Promise<AgentProfile> {
  if (update.queues) refuseUnknownQueues(deps.queueNames, update.queues);
  const agent = applyAgentUpdate(
    agentId,
    await deps.store.getAgent(agentId),
    update,
    deps.clock.now().toISOString(),
  );
  await deps.store.putAgent(agent);
  // Said in this call (a retry completes what a crash left), never on a profile edit while away.
  if (update.presence === 'away') {
    const held = await deps.store.heldConversations(agentId);
    await returnHeldConversations(deps, agentId, 'agent_away', held);
  } else await takeNextWaiting(deps, agentId);
  return agent;
}
