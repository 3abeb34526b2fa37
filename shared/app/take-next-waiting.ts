import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import { canTakeWork, nextWaitingConversation, type WaitingConversation } from '#shared/domain/assignment.js';
import type { Clock } from '#shared/domain/ports.js';
import type { Conversation } from '#shared/domain/timeline.js';

/** What taking the next waiting conversation needs. */
export interface TakeNextWaitingDeps {
  store: Pick<AgentStore, 'getAgentNow' | 'inbox' | 'claimAgentSlot'>;
  admin: Pick<AgentAdmin, 'assign'>;
  clock: Clock;
}

/** How many conversations one call gives an agent at most, whatever room they have. */
export const MAX_TAKEN = 10;
/** How many claims and assignments one call makes in all, taken-meanwhile ones included. */
export const MAX_ATTEMPTS = 40;
/** How many pages of the waiting inbox one call reads at most. */
export const MAX_PAGES = 4;
/** How many candidates past the agent's room a page holds, for those another agent takes meanwhile. */
const SPARE_CANDIDATES = 5;

/** The conversations of a page that still wait for somebody (the page's items are read after its index). */
const candidatesOf = (items: readonly Conversation[], skip: ReadonlySet<string>): WaitingConversation[] =>
  items.flatMap((c) =>
    c.queue && c.waitingSince && c.assignee === undefined && c.status === 'open' && !skip.has(c.id)
      ? [{ conversationId: c.id, queue: c.queue, waitingSince: c.waitingSince }]
      : [],
  );

/**
 * Gives an agent who came online, came back to the console or freed up the conversations waiting
 * longest in their queues, up to their room (at most `MAX_TAKEN`). Nothing is read past the agent when
 * they cannot take any (away, not at the console, full, in no queue); else a page of the unassigned
 * inbox of their queues, their room and a few more, oldest wait first (the index's order). A slot is
 * claimed on their item first (as routing's hand-off does), so a hand-off taking their freed slot
 * meanwhile leaves them full, not over; refused, they are read again and tried as they are. The
 * assignment is conditional (still open, still nobody's): when another agent took it first, the claim
 * is let go and the next one in line is tried, so two agents racing never get the same conversation.
 * When agents taking at once (all coming online, all resolving) took the whole page before this one
 * filled, the next page is read, each larger than the last (the room left and a few more, times the
 * page's number), up to `MAX_PAGES` pages and `MAX_ATTEMPTS` claims a call. `skip`: conversations not
 * to take (one the agent has just handed away). Answers how many it gave them.
 */
export async function takeNextWaiting(
  deps: TakeNextWaitingDeps,
  agentId: string,
  options: { skip?: readonly string[] | undefined } = {},
): Promise<number> {
  return (await takeNextWaitingReport(deps, agentId, options)).taken;
}

/**
 * `takeNextWaiting`, saying also whether it stopped on its bounds (`MAX_PAGES`, `MAX_ATTEMPTS`) with
 * room left and more possibly waiting (`more`): rivals took what it read. A call again soon finds
 * what is left, the taken ones no longer listed (see `runAgentRefill`).
 */
export async function takeNextWaitingReport(
  deps: TakeNextWaitingDeps,
  agentId: string,
  options: { skip?: readonly string[] | undefined } = {},
): Promise<{ taken: number; more: boolean }> {
  // Read strongly: the list index may still show the load (or presence) from before this agent's change.
  let agent = await deps.store.getAgentNow(agentId);
  if (!agent || !canTakeWork(agent, deps.clock.now())) return { taken: 0, more: false };
  const want = Math.min(agent.capacity - agent.openConversations, MAX_TAKEN);
  const filter = { status: 'open', assignee: 'unassigned', queues: agent.queues };
  const tried = new Set(options.skip);
  let candidates: WaitingConversation[] = [];
  let cursor: string | null | undefined;
  let pages = 0;
  let taken = 0;
  let attempt = 0;
  let more = false;
  while (taken < want) {
    if (attempt >= MAX_ATTEMPTS) {
      more = true;
      break;
    }
    const next = nextWaitingConversation(candidates, agent, deps.clock.now());
    if (!next) {
      // Nothing left to try: the agent cannot take more, or the waiting list (or this call's share) ran out.
      if (!canTakeWork(agent, deps.clock.now()) || cursor === null) break;
      if (pages >= MAX_PAGES) {
        more = true;
        break;
      }
      pages += 1;
      const limit = (want - taken + SPARE_CANDIDATES) * pages;
      const page = await deps.store.inbox(filter, cursor ? { limit, cursor } : { limit });
      candidates = candidatesOf(page.items, tried);
      cursor = page.cursor;
      continue;
    }
    attempt += 1;
    const claim = await deps.store.claimAgentSlot(agentId, next.conversationId, agent.openConversations);
    if (!claim.claimed) {
      if (!claim.agent) break;
      agent = { ...claim.agent, connectedUntil: agent.connectedUntil };
      continue;
    }
    const now = deps.clock.now().toISOString();
    const eventId = `assigned:${next.conversationId}:${now}`;
    const assigned = await deps.admin.assign(next.conversationId, { agentId }, 'routing', now, eventId, {
      ifUnassigned: true,
      release: [agentId],
    });
    tried.add(next.conversationId);
    candidates = candidates.filter((c) => c.conversationId !== next.conversationId);
    if (assigned === false) continue;
    taken += 1;
    agent = { ...agent, openConversations: agent.openConversations + 1 };
  }
  // Given its most with room still left (a capacity above MAX_TAKEN): more may wait for them too.
  if (taken === MAX_TAKEN && agent.capacity > agent.openConversations) more = true;
  return { taken, more };
}
