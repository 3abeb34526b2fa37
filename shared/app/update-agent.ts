import type { AgentStore } from '#shared/domain/agent-ports.js';
import { type AgentProfile, type AgentUpdate, applyAgentUpdate } from '#shared/domain/assignment.js';
import { type TakeNextWaitingDeps, takeNextWaiting } from './take-next-waiting.js';

/**
 * Registers or updates the calling agent (only the fields given change), then gives them the longest
 * waiting conversation of their queues if they now have room.
 */
export async function updateAgent(
  deps: TakeNextWaitingDeps & { store: Pick<AgentStore, 'getAgent' | 'putAgent'> },
  agentId: string,
  update: AgentUpdate,
): Promise<AgentProfile> {
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
