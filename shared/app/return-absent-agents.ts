import { leftConsole } from '#shared/domain/agent-away.js';
import type { AgentAwayStore, RemovedAgentHolding, SweptAgent } from '#shared/domain/agent-ports.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { type ReturnHeldDeps, returnHeldConversations } from './return-held-conversations.js';
import { type TakeNextWaitingDeps, takeNextWaiting } from './take-next-waiting.js';

/** What the absent-agent sweep needs: the leases, routing's claim and assignment, and take-next. */
export interface ReturnAbsentAgentsDeps extends TakeNextWaitingDeps {
  store: TakeNextWaitingDeps['store'] & ReturnHeldDeps['store'];
  away: AgentAwayStore;
}

/** What one sweep found and did (counts only). */
export interface AgentAwayReport {
  agents: number;
  /** Agents whose console lease had lapsed. */
  absent: number;
  /** Conversations handed back to their queue (and on, when someone was available). */
  returned: number;
  /** Removed agents still holding open conversations (answered ones, or ones waiting again). */
  removed: number;
  /** Agents back at the console after a lapse the sweep had seen, who took waiting work. */
  back: number;
  taken: number;
}

/**
 * The sweep a timer runs every `AGENT_AWAY_SWEEP_MINUTES`: an agent whose console lease lapsed (their
 * last socket closed more than the grace ago, or their console stopped pinging) has the conversations
 * of theirs that wait on the business handed back to their queue and on to an available agent
 * (`returnHeldConversations`), and the lapse is marked on their lease; an online agent back at the
 * console with that mark takes waiting work up to their room (`takeNextWaiting`), then the mark goes.
 * A removed agent is absent for good: the conversations they still hold that wait on the business again
 * (their customer wrote, or someone reopened one) go back the same way, reason `agent_removed`.
 * Every write is conditional, so a run repeated, late or beside another changes nothing more. Reads:
 * the agents list, the leases of those online or holding any conversation, the removed agents still
 * holding any (one query), and the conversations the absent and removed ones hold, never history.
 */
export async function returnAbsentAgents(deps: ReturnAbsentAgentsDeps): Promise<AgentAwayReport> {
  const now = deps.clock.now();
  const [agents, removed] = await Promise.all([
    deps.away.listAgentsWithLeases(),
    deps.away.listRemovedHolding(),
  ]);
  const absent = agents.filter((agent) => leftConsole(agent.lease, now));
  const held = await heldByAbsent(deps.away, [...absent, ...removed]);
  let returned = 0;
  for (const agent of removed) {
    returned += await returnHeldConversations(deps, agent.id, 'agent_removed', held.get(agent.id) ?? []);
  }
  for (const agent of absent) {
    returned += await returnHeldConversations(deps, agent.id, 'agent_offline', held.get(agent.id) ?? []);
    if (agent.lease && agent.lease.lapsedAt === undefined) {
      await deps.away.noteLeaseLapsed(agent.id, agent.lease.connectedUntil);
    }
  }
  const back = agents.filter(
    (agent) => agent.presence === 'online' && agent.lease?.lapsedAt && !leftConsole(agent.lease, now),
  );
  let taken = 0;
  for (const agent of back) {
    taken += await takeNextWaiting(deps, agent.id);
    if (agent.lease?.lapsedAt) await deps.away.clearLeaseLapsed(agent.id, agent.lease.lapsedAt);
  }
  return {
    agents: agents.length,
    absent: absent.length,
    returned,
    removed: removed.length,
    back: back.length,
    taken,
  };
}

/** The conversations the absent (or removed) agents hold, read in one go (100 a call), by who holds them. */
async function heldByAbsent(
  away: AgentAwayStore,
  absent: ReadonlyArray<SweptAgent | RemovedAgentHolding>,
): Promise<Map<string, Conversation[]>> {
  const ids = absent.flatMap((agent) => agent.openConversationIds ?? []);
  const byAgent = new Map<string, Conversation[]>();
  if (ids.length === 0) return byAgent;
  for (const conversation of await away.readConversations(ids)) {
    if (!conversation.assignee) continue;
    byAgent.set(conversation.assignee, [...(byAgent.get(conversation.assignee) ?? []), conversation]);
  }
  return byAgent;
}
