import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import { nextWaitingConversation, type WaitingConversation } from '#shared/domain/assignment.js';
import type { Clock } from '#shared/domain/ports.js';

/** What taking the next waiting conversation needs. */
export interface TakeNextWaitingDeps {
  store: Pick<AgentStore, 'getAgentNow' | 'inbox' | 'claimAgentSlot'>;
  admin: Pick<AgentAdmin, 'assign'>;
  clock: Clock;
}

/** How many taken-meanwhile conversations one call passes over before it gives up. */
const MAX_ATTEMPTS = 10;

/**
 * Gives an agent who came online or freed up the conversation waiting longest in their queues. A slot
 * is claimed on their item first (as routing's hand-off does), so a hand-off taking their freed slot
 * meanwhile leaves them full, not over; refused, they are read again and tried as they are. The
 * assignment is conditional (still open, still nobody's): when another agent took it first, the claim
 * is let go and the next one in line is tried, so two agents racing never get the same conversation.
 */
export async function takeNextWaiting(deps: TakeNextWaitingDeps, agentId: string): Promise<void> {
  // Read strongly: the list index may still show the load (or presence) from before this agent's change.
  let agent = await deps.store.getAgentNow(agentId);
  if (!agent) return;
  const waiting = await deps.store.inbox({ status: 'open', assignee: 'unassigned' }, { limit: 200 });
  let candidates: WaitingConversation[] = waiting.items.flatMap((c) =>
    c.queue && c.waitingSince ? [{ conversationId: c.id, queue: c.queue, waitingSince: c.waitingSince }] : [],
  );
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const next = nextWaitingConversation(candidates, agent, deps.clock.now());
    if (!next) return;
    const claim = await deps.store.claimAgentSlot(agentId, next.conversationId, agent.openConversations);
    if (!claim.claimed) {
      if (!claim.agent) return;
      agent = claim.agent;
      continue;
    }
    const now = deps.clock.now().toISOString();
    const eventId = `assigned:${next.conversationId}:${now}`;
    const taken = await deps.admin.assign(next.conversationId, { agentId }, 'routing', now, eventId, {
      ifUnassigned: true,
      release: [agentId],
    });
    if (taken !== false) return;
    candidates = candidates.filter((c) => c.conversationId !== next.conversationId);
  }
}
