import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Agent, ListedAgent } from '#shared/domain/assignment.js';

/**
 * Every registered agent, in id order so the list is stable between calls; their load as a count
 * (the ids of the conversations their set holds are routing's, not the list's).
 */
export async function listAgents(deps: { store: Pick<AgentStore, 'listAgents'> }): Promise<Agent[]> {
  const agents: ListedAgent[] = await deps.store.listAgents();
  return agents
    .map(({ openConversationIds: _ids, ...agent }) => agent)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}
