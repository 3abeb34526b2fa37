import type { Channel } from '../envelope.js';
import type { ResponderResult } from '../responder.js';
import { authorKind, type Customer, conversationOf, type TimelineItem } from '../timeline.js';
import type { AiAssessment, RouteDecision } from './decision.js';
import { routeItemId } from './routable.js';

/** What the routing rules need to know about a conversation, besides its status. */
export interface ConversationFacts {
  channelsBefore: Channel[];
  humanReplied: boolean;
  routedTo?: RouteDecision['target'];
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
  return {
    channelsBefore,
    humanReplied,
    ...(target === 'ai' || target === 'human' ? { routedTo: target } : {}),
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

/** A decision that sends the conversation to a person who does not have it yet: a hand-off. */
export function handsOff(decision: RouteDecision): boolean {
  return (
    decision.target === 'human' &&
    decision.reason !== 'human_took_over' &&
    decision.reason !== 'awaiting_human'
  );
}

/** The `routed` event that records a decision on the timeline, keyed on the item it decides. */
export function routedEvent(
  item: TimelineItem & { channel: Channel },
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
