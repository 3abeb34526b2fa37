import type { RefillAgent } from '../domain/refill-ports.js';
import { logger } from '../log.js';
import { type TakeNextWaitingDeps, takeNextWaiting } from './take-next-waiting.js';

/** `takeNextWaiting` over these ports, as the clock's `refill`. */
export const refillOver =
  (deps: TakeNextWaitingDeps): RefillAgent =>
  (agentId, options) =>
    takeNextWaiting(deps, agentId, options);

/**
 * After a resolve or a move Threadline made on its own (an auto-resolve, an automation, a merge), the
 * agent who held the conversation has room again: they take the longest-waiting conversations of their
 * queues, never this one. A failure is logged and nothing more: the resolve or move stands and is not
 * retried for it, and the agent's next resolve or presence change takes waiting work anyway. Twice (a
 * timer fired again, or retried after a crash past its resolve: `fireTimer` completes the resolve) is
 * harmless: each take is a conditional claim, up to the room the agent has.
 */
export async function refillHolder(
  deps: { refill?: RefillAgent | undefined },
  holder: string | undefined,
  conversationId: string,
): Promise<void> {
  if (!holder || !deps.refill) return;
  try {
    await deps.refill(holder, { skip: [conversationId] });
  } catch (error) {
    logger.warn('refill after an automatic resolve or move failed; the agent takes at their next change', {
      conversationId,
      agentId: holder,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
