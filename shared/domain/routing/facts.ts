import type { Channel } from '../envelope.js';
import { aiReplyId, answeredAtOf, answeredItemOf, replyItemId } from '../replies.js';
import type { ResponderResult } from '../responder.js';
import { authorKind, type Customer, conversationOf, type TimelineItem } from '../timeline.js';
import type { AiAssessment, RouteDecision } from './decision.js';
import { routeItemId } from './routable.js';

/** What the routing rules need to know about a conversation, besides its status. */
export interface ConversationFacts {
  channelsBefore: Channel[];
  humanReplied: boolean;
  routedTo?: RouteDecision['target'];
  /** The hand-off was for a message without text sent with this one (`handedOffBeside`). */
  handedOffBeside?: boolean;
  /** The queue of the hand-off `routedTo: human` follows, when known: the conversation's until it is written. */
  routedQueue?: string;
  /** The AI's answers in a row before the message (from the kept state only); unset when none. */
  aiAnswersInARow?: number;
}

/** What the routing rules need to know about the conversation, from its timeline before this item. */
export function conversationFacts(
  timeline: readonly TimelineItem[],
  conversationId: string,
  item: TimelineItem,
): ConversationFacts {
  const mine = timeline.filter((i) => conversationOf(i) === conversationId && i.id !== item.id);
  const lastResolved = mine.filter((i) => i.type === 'event' && i.event === 'resolved').at(-1)?.at;
  const current = lastResolved ? mine.filter((i) => i.at > lastResolved) : mine;
  const channelsBefore = [
    ...new Set(
      current
        .filter((i) => i.type === 'message' && i.direction === 'inbound' && i.at <= item.at && i.channel)
        .map((i) => i.channel as Channel),
    ),
  ];
  const humanReplied = current.some(
    (i) => i.type === 'message' && i.direction === 'outbound' && authorKind(i) === 'agent',
  );
  const previous = current
    .filter((i) => i.type === 'event' && i.event === 'routed' && i.at <= item.at)
    .at(-1);
  const target = previous?.data?.target;
  const queue = previous?.data?.queue;
  return {
    channelsBefore,
    humanReplied,
    ...(target === 'ai' || target === 'human' ? { routedTo: target } : {}),
    ...(target === 'human' && typeof queue === 'string' ? { routedQueue: queue } : {}),
  };
}

/** The routing rules' view of a responder's result. */
export function toAssessment(result: ResponderResult): AiAssessment {
  return {
    confidence: result.confidence,
    ...(result.handoff ? { handoff: { reason: result.handoff.reason } } : {}),
    ...(result.sentiment ? { sentiment: result.sentiment } : {}),
    ...(result.language ? { language: result.language } : {}),
  };
}

/** The agent who last helped the customer, across merged profiles. */
export function lastHelpedBy(profiles: readonly Customer[]): { agentId: string; at: string } | undefined {
  let best: { agentId: string; at: string } | undefined;
  for (const profile of profiles) {
    if (profile.lastAgentId && profile.lastAgentAt && (!best || profile.lastAgentAt > best.at)) {
      best = { agentId: profile.lastAgentId, at: profile.lastAgentAt };
    }
  }
  return best;
}

/**
 * A decision that sends the conversation to a person who does not have it yet: a hand-off. A person
 * who replied (from Threadline or the business's own app, an echo) took it over from the AI, but one
 * nobody is assigned and in no queue (`conversation` as routing read it) would wait where no agent
 * looks: the customer's next message hands it to a queue all the same (`human_took_over`).
 */
export function handsOff(
  decision: RouteDecision,
  conversation?: { queue?: string | undefined; assignee?: string | undefined },
): boolean {
  if (decision.target !== 'human' || decision.reason === 'awaiting_human') return false;
  if (decision.reason !== 'human_took_over') return true;
  return conversation !== undefined && !conversation.assignee && !conversation.queue;
}

/**
 * A hand-off another message of the conversation made first: routed at the same time, this one read
 * the conversation before that hand-off, and now waits for a person with it (rule 2, awaiting_human),
 * in the queue it chose.
 */
export function handedOffMeanwhile(decision: RouteDecision): RouteDecision {
  return {
    ...decision,
    target: 'human',
    reason: 'awaiting_human',
    detail: `another message handed this conversation to a person at the same time; waiting for an agent in ${decision.queue}`,
  };
}

/** The `routed` event that records a decision on the timeline, keyed on the item it decides. */
export function routedEvent(
  item: Pick<TimelineItem, 'id' | 'at'> & { channel: Channel },
  where: { customerId: string; conversationId: string },
  decision: RouteDecision,
  assignedTo: string | undefined,
): TimelineItem {
  return {
    id: routeItemId(item.id),
    type: 'event',
    event: 'routed',
    at: item.at,
    customerId: where.customerId,
    conversationId: where.conversationId,
    channel: item.channel,
    data: {
      target: decision.target,
      queue: decision.queue,
      reason: decision.reason,
      detail: decision.detail,
      afterHours: decision.afterHours,
      itemId: item.id,
      ...(assignedTo ? { assignedTo } : {}),
    },
  };
}

/** Routing's decision kept on the AI reply it led to (`data.routed`) instead of an item of its own. */
export interface FoldedDecision {
  queue: string;
  reason: RouteDecision['reason'];
  detail: string;
  afterHours?: true;
  /** The item decided on, when the reply's id does not name it whole (`answeredItemOf`). */
  itemId?: string;
}

/** The decision to keep on the AI's reply to `itemId` (the target is the AI: it answered). */
export function foldDecision(decision: RouteDecision, itemId: string): FoldedDecision {
  return {
    queue: decision.queue,
    reason: decision.reason,
    detail: decision.detail,
    ...(decision.afterHours ? { afterHours: true as const } : {}),
    ...(answeredItemOf(replyItemId(aiReplyId(itemId))) === itemId ? {} : { itemId }),
  };
}

function foldedOf(item: TimelineItem): (FoldedDecision & { itemId: string }) | undefined {
  const routed = item.data?.routed as Partial<FoldedDecision> | undefined;
  if (item.type !== 'message' || typeof routed?.reason !== 'string') return undefined;
  const itemId = typeof routed.itemId === 'string' ? routed.itemId : answeredItemOf(item.id);
  return itemId ? ({ ...routed, itemId } as FoldedDecision & { itemId: string }) : undefined;
}

/**
 * A stored timeline item as readers see it: an AI reply that carries routing's decision is that
 * `routed` event (as it was recorded before the decision rode on the reply) followed by the reply.
 * `placedAt` is the time in the item's key (an AI reply is placed 1 ms after the message it answers).
 */
export function unfoldDecision(item: TimelineItem, placedAt: string | undefined): TimelineItem[] {
  const folded = foldedOf(item);
  if (!folded || !item.channel) return [item];
  const { routed: _routed, ...data } = item.data ?? {};
  const answered = { id: folded.itemId, at: answeredAtOf(placedAt ?? item.at), channel: item.channel };
  const decision: RouteDecision = {
    target: 'ai',
    queue: folded.queue,
    reason: folded.reason,
    detail: folded.detail,
    afterHours: folded.afterHours === true,
  };
  const where = { customerId: item.customerId, conversationId: item.conversationId ?? '' };
  return [routedEvent(answered, where, decision, undefined), { ...item, data }];
}
