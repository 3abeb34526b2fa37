import type { RouterStore } from '../domain/router-ports.js';
import { decideRoute } from '../domain/routing/decide-route.js';
import type { AiAssessment, RouteDecision, RouteInput } from '../domain/routing/decision.js';

/**
 * The AI's answer, checked against the conversation as it is once the AI has answered: an agent may
 * have taken it (assigned, or replied in it) while the AI was answering (up to the responder's
 * timeout). Then the answer is not sent and the decision is `human_took_over`, as it would have been
 * had the agent come before the message. One strongly consistent read of the conversation item, no
 * write; only for an answer about to be placed (a decision for the AI). A redelivery of the message
 * finds the decision recorded, or reads the agent before asking the AI again.
 */
export async function unlessTakenOver(
  store: Pick<RouterStore, 'getConversationState'>,
  conversationId: string,
  decision: RouteDecision,
): Promise<RouteDecision> {
  if (decision.target !== 'ai') return decision;
  const now = await store.getConversationState(conversationId, { consistent: true });
  if (!now) return decision;
  const { assignee, queue } = now.conversation;
  if (!assignee && now.state.humanRepliedAt === undefined) return decision;
  const who = assignee ? `agent ${assignee} took` : 'an agent replied in';
  return {
    ...decision,
    target: 'human',
    reason: 'human_took_over',
    queue: queue ?? decision.queue,
    detail: `${who} this conversation while the AI was answering; the AI's answer was not sent`,
  };
}

/**
 * Decides again with the AI's assessment, as the conversation is once the AI has answered
 * (`unlessTakenOver`): an agent who took it meanwhile keeps it.
 */
export function decideAnswered(
  store: Pick<RouterStore, 'getConversationState'>,
  routing: { conversationId: string; base: Omit<RouteInput, 'ai'> },
  ai: AiAssessment,
): Promise<RouteDecision> {
  return unlessTakenOver(store, routing.conversationId, decideRoute({ ...routing.base, ai }));
}
