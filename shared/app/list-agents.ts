import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Agent } from '#shared/domain/assignment.js';

/** Every registered agent, in id order so the list is stable between calls. */
export async function listAgents(deps: { store: Pick<AgentStore, 'listAgents'> }): Promise<Agent[]> {
  const agents = await deps.store.listAgents();
  return agents.sort((a, b) => (a.id < b.id ? -1 : 1));
}
