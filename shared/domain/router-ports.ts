import type { Agent } from './assignment.js';
import type { RouteDecision } from './routing/decision.js';
import type { Conversation, Customer, TimelineItem } from './timeline.js';

/** What routing reads and writes in storage. */
export interface RouterStore {
  getTimelineItem(customerId: string, at: string, itemId: string): Promise<TimelineItem | undefined>;
  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  getConversation(conversationId: string): Promise<Conversation | undefined>;
  /** The partitions of the customer's merges (the root first) and the profiles of those that have one. */
  mergedCustomers(customerId: string): Promise<{ partitions: string[]; customers: Customer[] }>;
  /** One page of the customer's timeline (the union of merged customers), oldest first. */
  timeline(
    customerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: TimelineItem[]; cursor: string | null }>;
  /** Every registered agent, with their open conversations. */
  listAgents(): Promise<Agent[]>;
  /** Adds one routing decision to the running totals behind GET /api/metrics. */
  countDecision?(decision: DecisionCount): Promise<void>;
}

/** What one routing decision adds to the overall metrics. */
export interface DecisionCount {
  /** When it was decided: the UTC day it is counted under. */
  at: string;
  /** The routed item's id: picks the counter shard, so decisions spread evenly. */
  itemId: string;
  target: RouteDecision['target'];
  reason: RouteDecision['reason'];
  answeredByAi: boolean;
  channelSwitch: boolean;
}

/** The conversation changes a hand-off makes. */
export interface RouterAdmin {
  addNote(
    conversationId: string,
    text: string,
    authorId: string,
    now: string,
    noteId: string,
    authorKind?: 'agent' | 'ai',
  ): Promise<unknown>;
  assign(
    conversationId: string,
    target: { agentId?: string | undefined; queue?: string | undefined },
    by: string,
    now: string,
    eventId?: string,
    /** `ifUnassigned`: only while the conversation is open and nobody has it (false when someone does). */
    options?: { ifUnassigned?: boolean },
  ): Promise<unknown>;
}

/** Routes an inbound item the resolver has just written (`routeMessage` bound to its dependencies). */
export type RouteInbound = (input: {
  customerId: string;
  conversationId: string;
  item: TimelineItem;
}) => Promise<unknown>;
