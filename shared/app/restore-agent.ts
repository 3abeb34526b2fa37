import type { AgentStore } from '#shared/domain/agent-ports.js';
import { type AuditDeps, audited } from './audited.js';

/** What restoring a removed agent needs: their removal (record, listing, lease mark) and the audit log. */
export type RestoreAgentDeps = AuditDeps & { store: Pick<AgentStore, 'restoreAgent'> };

/**
 * An admin takes an agent's removal back: their removal goes (the console lease's mark, the record,
 * their place on the removed agents' list, in that order), so their sign-in works again and they
 * register anew (`PUT /api/agents/me`: away, in no queue, as any new agent; their retired registration's
 * set of the open conversations they still hold is kept, so those count against their capacity). Not
 * removed: nothing to do. Audited (`agent_restore`), naming the agent.
 */
export async function restoreAgent(deps: RestoreAgentDeps, adminId: string, agentId: string): Promise<void> {
  const entry = {
    agentId: adminId,
    action: 'agent_restore' as const,
    customerIds: [],
    subjectAgentId: agentId,
  };
  await audited(deps, entry, () => deps.store.restoreAgent(agentId));
}
