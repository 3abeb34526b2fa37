import type { AgentStore } from '#shared/domain/agent-ports.js';
import { canTakeWork } from '#shared/domain/assignment.js';
import { newTimer, type Timers } from '#shared/domain/timer-ports.js';
import { logger } from '#shared/log.js';
import { type TakeNextWaitingDeps, takeNextWaiting, takeNextWaitingReport } from './take-next-waiting.js';

/** How long after a refill that stopped on its bounds (rivals took its pages) the next one runs. */
export const REFILL_FOLLOW_UP_MS = 2_000;
/** How many follow-ups one request leads to at most (a request of the agent's own starts again at 0). */
export const MAX_REFILL_FOLLOW_UPS = 5;
/** How long an agent's refill mark holds off further requests when its refill never runs (a lost message). */
export const REFILL_MARK_MS = 60_000;

/** What asking for an agent's refill needs: the timers it goes through (none: taken in the call, as before). */
export type RequestRefillDeps = TakeNextWaitingDeps & {
  store: Pick<AgentStore, 'getAgentNow' | 'markRefill' | 'clearRefill'>;
  refillTimers?: Timers | undefined;
};

/**
 * Asks for the agent's refill (`takeNextWaiting`) after the answer: an `agent_refill` timer due in
 * `delayMs`, which the timers queue's consumer runs (`runAgentRefill`; on AWS the timers function, not
 * the request; locally the same consumer on the local timers queue). Requests at once coalesce: the
 * timer is set only by the one that marks the agent (`markRefill`, a conditional write of the agent's
 * own `AGENT_REFILL#<id>` item), the others find the mark and add nothing; the run takes the mark
 * away first, so a slot freed during a run asks again. An agent who cannot take work (away, not at
 * the console, full) is read (strongly) and nothing more, as take-next reads nothing more for them. A timer that cannot be set is logged and its
 * mark let go: what asked stands, and the agent's next change asks again. Without timers (unit tests'
 * deps), the agent takes in the call, as before.
 */
export async function requestRefill(
  deps: RequestRefillDeps,
  agentId: string,
  options: { delayMs?: number; round?: number } = {},
): Promise<void> {
  if (!deps.refillTimers) {
    await takeNextWaiting(deps, agentId);
    return;
  }
  // Read strongly, as take-next does: nothing asked for an agent who cannot take any (away, full, gone).
  const agent = await deps.store.getAgentNow(agentId);
  if (!agent || !canTakeWork(agent, deps.clock.now())) return;
  const now = deps.clock.now();
  const dueMs = now.getTime() + (options.delayMs ?? 0);
  const until = new Date(dueMs + REFILL_MARK_MS).toISOString();
  if (!(await deps.store.markRefill(agentId, now.toISOString(), until))) return;
  const round = options.round ?? 0;
  const timer = newTimer({
    kind: 'agent_refill',
    subject: agentId,
    version: now.toISOString(),
    detail: String(round),
    dueAt: new Date(dueMs).toISOString(),
  });
  try {
    await deps.refillTimers.schedule(timer);
  } catch (error) {
    logger.warn('refill could not be set; the agent takes at their next change', {
      agentId,
      error: error instanceof Error ? error.message : String(error),
    });
    await deps.store.clearRefill(agentId);
  }
}

/**
 * An `agent_refill` timer's run: the agent's mark taken away, then the longest-waiting conversations of
 * their queues up to their room (`takeNextWaitingReport`, its bounds per call). Stopped on those bounds
 * with room left (rivals took the pages it read), it asks again `REFILL_FOLLOW_UP_MS` later, at most
 * `MAX_REFILL_FOLLOW_UPS` times in a row: the next run reads the list afresh, without what was taken.
 * Twice (a redelivered message) is harmless: each take is a conditional claim, up to the room.
 */
export async function runAgentRefill(
  deps: RequestRefillDeps,
  agentId: string,
  round: number,
): Promise<number> {
  await deps.store.clearRefill(agentId);
  const { taken, more } = await takeNextWaitingReport(deps, agentId);
  if (more && round < MAX_REFILL_FOLLOW_UPS) {
    await requestRefill(deps, agentId, { delayMs: REFILL_FOLLOW_UP_MS, round: round + 1 });
  }
  return taken;
}
