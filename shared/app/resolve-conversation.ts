import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { TrackClock } from '#shared/domain/clock-ports.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { type RequestRefillDeps, requestRefill } from './agent-refill.js';

/**
 * Resolves a conversation as the agent. Whoever had it has room again: the longest-waiting
 * conversations of their queues become theirs, the resolving agent's too when a colleague had it (as
 * when it was theirs), after the answer: `requestRefill` asks for each one's refill (a timer, coalesced
 * per agent), so a resolve never waits on rivals' take-nexts. Answers the resolved conversation. Resolved already (a second click,
 * two agents at once, a retry), the first resolve stands: its clock is told again with its own time,
 * which repeats nothing and completes what a crash left (the survey's timer, the targets' end).
 */
export async function resolveConversation(
  deps: RequestRefillDeps & {
    store: Pick<AgentStore, 'getConversation'>;
    admin: Pick<AgentAdmin, 'resolveConversation'>;
    track?: TrackClock | undefined;
  },
  conversationId: string,
  agentId: string,
  options: { csat?: boolean | undefined } = {},
): Promise<Conversation | undefined> {
  const at = await deps.admin.resolveConversation(conversationId, agentId, deps.clock.now().toISOString());
  if (at !== undefined) {
    await deps.track?.({
      type: 'resolved',
      conversationId,
      at,
      ...(options.csat === false ? { csat: false } : {}),
    });
  }
  // Read strongly: an eventually consistent read may not see the write just made. A resolve keeps the
  // assignee, so this read also names who had it.
  const resolved = await deps.store.getConversation(conversationId, { consistent: true });
  const holder = resolved?.assignee;
  if (holder && holder !== agentId) await requestRefill(deps, holder);
  await requestRefill(deps, agentId);
  return resolved;
}
