import type { Receipt, RouteInbound } from '../domain/router-ports.js';
import type { ConversationSnapshot } from '../domain/routing/conversation-state.js';
import { routableKind } from '../domain/routing/routable.js';
import type { Customer, TimelineItem } from '../domain/timeline.js';

/**
 * Routing runs after the envelope is applied; a failure fails the whole receipt, and both steps are
 * idempotent, so the redelivery completes whichever was left undone. The item is the one stored: the
 * one this delivery wrote, or the first delivery's, read back by `placeOnTimeline`. A delivery that
 * did not write it, received from the queue for the first time (`receipt`), is a twin (`twin`).
 */
export async function routeItem(
  route: RouteInbound | undefined,
  placed: {
    item: TimelineItem;
    customerId: string;
    conversationId: string;
    written: boolean;
    conversation: ConversationSnapshot | undefined;
    profileRead: Customer | undefined;
    reopened?: boolean | undefined;
  },
  receipt: Receipt | undefined,
): Promise<unknown> {
  if (!route || !routableKind(placed.item)) return undefined;
  const conversationId = placed.item.conversationId ?? placed.conversationId;
  return route({
    customerId: placed.customerId,
    conversationId,
    item: placed.item,
    firstDelivery: placed.written,
    ...(!placed.written && receipt?.receiveCount === 1 ? { twin: true } : {}),
    ...(placed.profileRead?.id === placed.customerId ? { customer: placed.profileRead } : {}),
    ...(placed.reopened ? { reopened: true } : {}),
    ...(placed.conversation?.conversation.id === conversationId ? { conversation: placed.conversation } : {}),
  });
}
