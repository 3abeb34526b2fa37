import type { AgentStore } from '#shared/domain/agent-ports.js';
import { type AuditDeps, audited } from './audited.js';
import { type ReturnHeldDeps, returnHeldConversations } from './return-held-conversations.js';

/** What removing an agent needs: their registration, the hand-back of what waits on them, the audit log. */
export type RemoveAgentDeps = ReturnHeldDeps &
  AuditDeps & {
    store: Pick<
      AgentStore,
      | 'getAgent'
      | 'putAgent'
      | 'heldConversations'
      | 'removeAgent'
      | 'markAgentRemoved'
      | 'removeConsoleLease'
    >;
  };

/**
 * An admin retires an agent: first the record that they are removed (their requests are refused from
 * then on, `agent_removed`, until an admin restores them), then Away (routing hands them nothing more),
 * the conversations of theirs that wait on the business handed back to their queue as their own Away
 * does (reason `agent_removed`), their registration deleted, so they are no longer listed, routed to
 * or assignable (422 `unknown_agent`, as for an agent never registered), and their console lease.
 * Conversations they answered stay theirs, to transfer. A retry after a crash finishes what was left;
 * an agent not registered (removed already, or never) is recorded removed all the same. Audited
 * (`agent_remove`), naming the agent.
 */
export async function removeAgent(deps: RemoveAgentDeps, adminId: string, agentId: string): Promise<void> {
  const entry = {
    agentId: adminId,
    action: 'agent_remove' as const,
    customerIds: [],
    subjectAgentId: agentId,
  };
  await audited(deps, entry, async () => {
    await deps.store.markAgentRemoved(agentId, { at: deps.clock.now().toISOString(), by: adminId });
    const agent = await deps.store.getAgent(agentId);
    if (agent) {
      if (agent.presence !== 'away') {
        await deps.store.putAgent({ ...agent, presence: 'away', updatedAt: deps.clock.now().toISOString() });
      }
      const held = await deps.store.heldConversations(agentId);
      await returnHeldConversations(deps, agentId, 'agent_removed', held);
      await deps.store.removeAgent(agentId);
    }
    await deps.store.removeConsoleLease(agentId);
  });
}
