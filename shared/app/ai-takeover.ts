import type { RouterStore } from '../domain/router-ports.js';
import { type ConversationSnapshot, handedOffBeside } from '../domain/routing/conversation-state.js';
import { decideRoute } from '../domain/routing/decide-route.js';
import type { AiAssessment, RouteDecision, RouteInput } from '../domain/routing/decision.js';
import type { TimelineItem } from '../domain/timeline.js';

/** What the answered decision is made on: the routing's input, and the item it decides. */
interface Answered {
  conversationId: string;
  item: Pick<TimelineItem, 'id' | 'at' | 'text'>;
  base: Omit<RouteInput, 'ai'>;
}

/**
 * The conversation's ownership as it is now (`now`, read strongly), over what routing read before the
 * AI answered: who has it and in which queue, whether an agent replied, and whether another message
 * handed it to a person meanwhile (its escalation, of another item).
 */
function ownershipNow(
  before: RouteInput['conversation'],
  now: ConversationSnapshot,
  item: Answered['item'],
): RouteInput['conversation'] {
  const { assignee, queue, status } = now.conversation;
  const escalated = now.state.escalatedAt !== undefined && now.state.escalatedItemId !== item.id;
  const routedTo = escalated ? 'human' : before.routedTo;
  // A photo sent with this message went to a person meanwhile: it does not decide for this one.
  const beside = handedOffBeside(now.state, item);
  const routedQueue = escalated ? (now.state.escalatedQueue ?? before.routedQueue) : before.routedQueue;
  return {
    ...before,
    status,
    assignee,
    queue,
    humanReplied: before.humanReplied || now.state.humanRepliedAt !== undefined,
    ...(routedTo ? { routedTo } : {}),
    handedOffBeside: beside,
    ...(routedTo === 'human' && routedQueue ? { routedQueue } : {}),
  };
}

/** What took the conversation while the AI was answering, as the decision's detail says it. */
function whileAnswering(decision: RouteDecision, now: ConversationSnapshot): string {
  const notSent = "the AI's answer was not sent";
  const { assignee } = now.conversation;
  if (decision.reason === 'human_took_over') {
    const who = assignee ? `agent ${assignee} took` : 'an agent replied in';
    return `${who} this conversation while the AI was answering; ${notSent}`;
  }
  if (decision.reason === 'awaiting_human') {
    return `another message handed this conversation to a person in ${decision.queue} while the AI was answering; ${notSent}`;
  }
  return `${decision.detail} (it changed while the AI was answering; ${notSent})`;
}

/**
 * The AI's answer, checked against the conversation as it is once the AI has answered: an agent may
 * have taken it (assigned, or replied in it), or another message of it handed it to a person (a queue),
 * while the AI was answering (up to the responder's timeout). The rules decide again on the
 * conversation's ownership as it is now (one strongly consistent read of the conversation item, no
 * write; only for an answer about to be placed): a person's decision is taken as it would have been
 * had the change come before the message, in the conversation's queue as it is now (`human_took_over`,
 * `awaiting_human`, or `queue_removed` when nobody holds it and its queue left the policy), and the
 * answer is not sent. A redelivery of the message finds the decision recorded, or reads the change
 * before asking the AI again.
 */
export async function unlessTakenOver(
  store: Pick<RouterStore, 'getConversationState'>,
  routing: Answered,
  decision: RouteDecision,
  ai: AiAssessment,
): Promise<RouteDecision> {
  if (decision.target !== 'ai') return decision;
  const now = await store.getConversationState(routing.conversationId, { consistent: true });
  if (!now) return decision;
  const conversation = ownershipNow(routing.base.conversation, now, routing.item);
  const again = decideRoute({ ...routing.base, conversation, ai });
  if (again.target === 'ai') return decision;
  return { ...again, detail: whileAnswering(again, now) };
}

/**
 * Decides again with the AI's assessment, as the conversation is once the AI has answered
 * (`unlessTakenOver`): an agent who took it meanwhile keeps it.
 */
export function decideAnswered(
  store: Pick<RouterStore, 'getConversationState'>,
  routing: Answered,
  ai: AiAssessment,
): Promise<RouteDecision> {
  return unlessTakenOver(store, routing, decideRoute({ ...routing.base, ai }), ai);
}
