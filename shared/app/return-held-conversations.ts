import { type ReturnReason, returnable } from '#shared/domain/agent-away.js';
import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import type { ListedAgent } from '#shared/domain/assignment.js';
import type { Clock } from '#shared/domain/ports.js';
import type { RouterStore } from '#shared/domain/router-ports.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { claimAgent } from './claim-agent.js';

/** What handing an absent agent's conversations back needs: routing's claim, and the assignment. */
export interface ReturnHeldDeps {
  store: Pick<RouterStore, 'listAgents' | 'claimAgentSlot'>;
  admin: Pick<AgentAdmin, 'assign'>;
  clock: Clock;
}

/** Who Threadline acts as when it hands an absent agent's conversation back (routing's own id). */
const RETURN_AUTHOR_ID = 'routing';

/**
 * Hands the conversations an agent who left holds, and that wait on the business (`returnable`: open,
 * theirs, unanswered, not snoozed), back to their queue and on to an available agent of it, chosen and
 * claimed as routing's hand-off does (no preference for the agent who last helped: that is the one who
 * left); with nobody available, it waits there Unassigned. One write each, conditional on the agent
 * still holding it (an answer, a transfer or a take meanwhile keeps theirs), its `assigned` event
 * carrying why (`reason`). The agents list is read once for all of them. Answers how many went back.
 */
export async function returnHeldConversations(
  deps: ReturnHeldDeps,
  agentId: string,
  reason: ReturnReason,
  held: readonly Conversation[],
): Promise<number> {
  const now = deps.clock.now();
  const back = held.filter((conversation) => returnable(conversation, agentId, now));
  if (back.length === 0) return 0;
  const store = oneListing(deps.store, agentId);
  let returned = 0;
  for (const conversation of back) {
    const target = conversation.queue
      ? await claimAgent(store, conversation.id, {
          conversation: { queue: conversation.queue },
          stickyDays: 0,
          now,
        })
      : undefined;
    const to = target && 'agentId' in target.choice ? target.choice.agentId : '';
    const at = now.toISOString();
    const moved = await deps.admin.assign(
      conversation.id,
      { agentId: to },
      RETURN_AUTHOR_ID,
      at,
      `returned:${conversation.id}:${agentId}:${conversation.waitingSince}`,
      { ifAssignee: agentId, release: to ? [to, ...(target?.holders ?? [])] : [], reason },
    );
    if (moved !== false) returned += 1;
  }
  return returned;
}

/**
 * The store as claims for several conversations in a row see it: the agents list read once, without
 * the agent who left (the index may still show them online), each claim made counted on it.
 */
export function oneListing(
  store: ReturnHeldDeps['store'],
  leaving: string,
): Pick<RouterStore, 'listAgents' | 'claimAgentSlot'> {
  let listed: ListedAgent[] | undefined;
  return {
    async listAgents() {
      listed ??= (await store.listAgents()).filter((agent) => agent.id !== leaving);
      return listed;
    },
    async claimAgentSlot(agentId, conversationId, seen) {
      const claim = await store.claimAgentSlot(agentId, conversationId, seen);
      const now = claim.claimed ? undefined : claim.agent;
      listed = listed?.map((agent) => {
        if (agent.id !== agentId) return agent;
        if (now) return { ...agent, openConversations: now.openConversations };
        return claim.claimed ? { ...agent, openConversations: agent.openConversations + 1 } : agent;
      });
      return claim;
    },
  };
}
