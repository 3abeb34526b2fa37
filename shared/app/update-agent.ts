import type { AgentStore } from '#shared/domain/agent-ports.js';
import { type AgentProfile, type AgentUpdate, applyAgentUpdate } from '#shared/domain/assignment.js';
import { refuseUnknownQueues } from './assign-conversation.js';
import { type TakeNextWaitingDeps, takeNextWaiting } from './take-next-waiting.js';

/**
 * Registers or updates the calling agent (only the fields given change), then gives them the longest
 * waiting conversation of their queues if they now have room. Queues the routing policy does not name
 * are refused (422 `unknown_queue`, nothing saved): an online agent in a mistyped queue gets no hand-off.
 */
export async function updateAgent(
  deps: TakeNextWaitingDeps & {
    store: Pick<AgentStore, 'getAgent' | 'putAgent'>;
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
  await takeNextWaiting(deps, agentId);
  return agent;
}
