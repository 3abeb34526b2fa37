import { timelineToAnswer } from '../domain/answer-context.js';
import type { Clock } from '../domain/ports.js';
import type { ResponderContext } from '../domain/responder.js';
import type { RouterStore } from '../domain/router-ports.js';
import type { ConversationState } from '../domain/routing/conversation-state.js';
import { factsFromState, RECENT_ITEMS } from '../domain/routing/conversation-state.js';
import { aiHandoffsFollowed } from '../domain/routing/decide-route.js';
import type { RouteInput } from '../domain/routing/decision.js';
import type { ConversationFacts } from '../domain/routing/facts.js';
import { ownWords } from '../domain/routing/own-words.js';
import type { RoutingPolicy } from '../domain/routing/policy.js';
import { receivingAddresses } from '../domain/routing/receiving-address.js';
import type { Conversation, Customer, TimelineItem } from '../domain/timeline.js';

/** One routing in progress: the item, its customer and conversation, and what the rules read. */
export interface Routing {
  customerId: string;
  conversationId: string;
  item: TimelineItem & { channel: NonNullable<TimelineItem['channel']> };
  customer: Customer;
  /** Every profile of the customer's merges (the root first), for the agent who last helped. */
  profiles: Customer[];
  partitions: string[];
  conversation: Conversation;
  state: ConversationState;
  decisionId: string;
  /** The customer's most recent items as read (`RECENT_ITEMS`), before the responder's cut. */
  recent: TimelineItem[];
  context: ResponderContext;
  facts: ConversationFacts;
  base: Omit<RouteInput, 'ai'>;
  now: Date;
  /** The agent a conversation reopened in another language is handed on from (`reopenedInAnotherLanguage`). */
  handingOn?: string | undefined;
}

/** What routing found before reading the recent timeline. */
export type Found = Omit<Routing, 'recent' | 'context' | 'facts' | 'base' | 'now' | 'handingOn'>;

/**
 * Reads what the decision depends on: the conversation's kept state and the customer's most recent
 * items (one bounded query per merged partition), never the whole timeline.
 */
export async function readRouting(
  deps: { store: Pick<RouterStore, 'recentTimeline'>; clock: Clock; policy: RoutingPolicy },
  found: Found,
  kind: RouteInput['message']['kind'],
): Promise<Routing> {
  const { conversationId, item, customer, conversation, state } = found;
  const recent = await deps.store.recentTimeline(found.partitions, RECENT_ITEMS);
  // The item itself is there even if the (eventually consistent) query does not show it yet.
  const timeline = timelineToAnswer(recent, item);
  const now = deps.clock.now();
  const facts = factsFromState(state, recent, conversationId, item);
  const base = {
    message: { channel: item.channel, kind, text: ownWords(item), to: receivingAddresses(item) },
    conversation: {
      status: conversation.status,
      assignee: conversation.assignee,
      queue: conversation.queue,
      language: conversation.language,
      ...facts,
    },
    customer: { tags: customer.tags },
    policy: deps.policy,
    now,
  };
  const escalates = aiHandoffsFollowed(deps.policy);
  return { ...found, recent, context: { customer, timeline, conversationId, escalates }, facts, base, now };
}
