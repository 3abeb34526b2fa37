import type { AgentStore } from '#shared/domain/agent-ports.js';
import { applyAgentUpdate } from '#shared/domain/assignment.js';
import { ConflictError, ForbiddenError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';
import { type ReturnHeldDeps, returnHeldConversations } from './return-held-conversations.js';

/** What removing an agent needs: their registration, the hand-back of what waits on them, the audit log. */
export type RemoveAgentDeps = ReturnHeldDeps &
  AuditDeps & {
    store: Pick<
      AgentStore,
      | 'getAgent'
      | 'putAgent'
      | 'registerHolding'
      | 'heldConversations'
      | 'removeAgent'
      | 'markAgentRemoved'
      | 'listAgentRemoved'
      | 'removeConsoleLease'
    >;
  };

/**
 * An admin retires an agent. Never themselves (409 `cannot_remove_self`), nor while removed themselves:
 * the removed agents' list takes the agent only while the admin is not on it, so of two admins removing
 * each other at once the second is refused (403 `agent_removed`), an admin who is not removed always
 * remains, and the last one cannot be removed. Then their console lease is marked removed (no socket of
 * theirs writes it again, so a connect racing the removal is refused at its lease write), then the
 * record that they are removed (their requests are refused from then on, `agent_removed`, until an
 * admin restores them; the change feed closes their open sockets), then Away (routing hands them
 * nothing more), the conversations of theirs that wait on the business handed back to their queue as
 * their own Away does (reason `agent_removed`), and their registration retired, so they are no longer
 * listed, routed to or assignable (422 `unknown_agent`, as for an agent never registered). It is kept
 * with the set of what they hold: conversations they answered stay theirs, to transfer (an admin lists
 * them, `listRemovedHolding`), and one that waits on the business again (the customer writes, a reopen)
 * goes back to its queue within the absent-agent sweep's minute; a restore finds them counted.
 * A retry after a crash finishes what was left;
 * an agent not registered (removed already, or never) is recorded removed all the same; one who holds
 * conversations without a registration is registered first (`registerHolder`), so theirs go back too. Audited
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
    if (agentId === adminId) {
      throw new ConflictError('an admin cannot remove themselves: ask another admin', 'cannot_remove_self');
    }
    if (!(await deps.store.listAgentRemoved(agentId, adminId))) {
      throw new ForbiddenError(
        'an admin removed you meanwhile: ask an admin to restore you',
        'agent_removed',
      );
    }
    const at = deps.clock.now().toISOString();
    await deps.store.removeConsoleLease(agentId, at);
    await deps.store.markAgentRemoved(agentId, { at, by: adminId });
    const agent = (await deps.store.getAgent(agentId)) ?? (await registerHolder(deps, agentId, at));
    if (agent) {
      if (agent.presence !== 'away') {
        // Only while registered: a concurrent removal that deleted the registration does not bring it back.
        const away = { ...agent, presence: 'away' as const, updatedAt: deps.clock.now().toISOString() };
        await deps.store.putAgent(away, 'registered');
      }
      const held = await deps.store.heldConversations(agentId);
      await returnHeldConversations(deps, agentId, 'agent_removed', held);
      await deps.store.removeAgent(agentId, at);
    }
  });
}

/**
 * An agent not registered who holds conversations anyway (an integration's token, or an agent who never
 * opened the console, that took one with `{"agentId":"me"}` or by a reply): registered as a new agent
 * is (Away, no queue), their conversations counted, so the removal hands them back as for anyone. Not
 * audited as an `agent_update`: the registration is retired by this removal.
 */
async function registerHolder(deps: RemoveAgentDeps, agentId: string, at: string) {
  const holder = applyAgentUpdate(agentId, undefined, {}, at);
  return (await deps.store.registerHolding(holder)) ? deps.store.getAgent(agentId) : undefined;
}
