import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { AgentListed, ListedAgent, RemovedAgentListed } from '#shared/domain/assignment.js';
import type { PageCursors } from '#shared/domain/page-cursor.js';
import type { Page } from '#shared/domain/paging.js';

/**
 * Every registered agent, in id order so the list is stable between calls; their load as a count
 * (the ids of the conversations their set holds are routing's, not the list's). With the routing
 * policy's queue names, an agent registered in a queue the policy no longer has (taken out or renamed,
 * then a restart) has it named in `unknownQueues`. Each with their role, from the admins' list (one
 * read; an agent's own registration update notes theirs, see `updateAgent`): their registration is kept as it is, but no
 * conversation is routed to that queue, so they are handed none from it.
 */
export async function listAgents(deps: {
  store: Pick<AgentStore, 'listAgents' | 'adminIds'>;
  queueNames?: (() => readonly string[]) | undefined;
}): Promise<AgentListed[]> {
  const [agents, admins]: [ListedAgent[], Set<string>] = await Promise.all([
    deps.store.listAgents(),
    deps.store.adminIds(),
  ]);
  const known = deps.queueNames?.();
  return agents
    .map(({ openConversationIds: _ids, ...agent }): AgentListed => {
      const unknownQueues = known ? agent.queues.filter((q) => !known.includes(q)) : [];
      const listed = { ...agent, role: admins.has(agent.id) ? ('admin' as const) : ('agent' as const) };
      return unknownQueues.length ? { ...listed, unknownQueues } : listed;
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * A page of the removed agents, in id order, each with how many open conversations they still hold:
 * whom an admin restores, and what they transfer (`GET /api/conversations?assignee=<id>` lists them),
 * since the agents list no longer shows them.
 */
export async function listRemovedAgents(
  deps: { store: Pick<AgentStore, 'listRemovedAgents'>; cursors: PageCursors },
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<RemovedAgentListed>> {
  const scope = ['removed-agents'] as const;
  const cursor = deps.cursors.open(page.cursor, scope);
  const found = await deps.store.listRemovedAgents({ limit: page.limit, cursor });
  return {
    items: found.items.map(({ id, openConversationIds }) => ({
      id,
      openConversations: openConversationIds.length,
    })),
    cursor: deps.cursors.seal(found.cursor, scope),
  };
}
