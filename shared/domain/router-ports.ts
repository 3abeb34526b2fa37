import type { AgentClaim, ListedAgent } from './assignment.js';
import type { ConversationSnapshot } from './routing/conversation-state.js';
import type { RouteDecision } from './routing/decision.js';
import type { Customer, TimelineItem } from './timeline.js';

/** What routing reads and writes in storage. */
/**
 * A hand-off's escalation write: when, for which item, in which queue, the item routing saw hand off
 * before (`seen`), and the item's time when it has no text (`mediaAt`).
 */
export interface Escalation {
  at: string;
  itemId: string;
  queue: string;
  seen?: string | undefined;
  mediaAt?: string | undefined;
}

export interface RouterStore {
  getTimelineItem(customerId: string, at: string, itemId: string): Promise<TimelineItem | undefined>;
  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean>;
  /**
   * A conversation and the routing state kept on it, in one read; with `consistent`, a strongly
   * consistent one (it sees every write that came before it).
   */
  getConversationState(
    conversationId: string,
    options?: { consistent?: boolean },
  ): Promise<ConversationSnapshot | undefined>;
  /** The partitions of the customer's merges (the root first) and the profiles of those that have one. */
  mergedCustomers(customerId: string): Promise<{ partitions: string[]; customers: Customer[] }>;
  /** The most recent items (at most `limit`) of the union of these partitions, oldest first. */
  recentTimeline(partitions: readonly string[], limit: number): Promise<TimelineItem[]>;
  /**
   * Records that routing hands the conversation to a person, for which item: only while its escalation
   * is the one routing read (`seen`, the item of an earlier hand-off; unset: none) or this item's
   * already. `mediaAt`: the item's time, when it has no text (kept as `escalatedMediaAt`). False when another item's hand-off came first: the conversation is handed off already.
   */
  markEscalated(conversationId: string, escalation: Escalation): Promise<boolean>;
  /** Every registered agent, with their open conversations (from the list index: it may lag). */
  listAgents(): Promise<ListedAgent[]>;
  /**
   * Claims a slot for the conversation on the agent's own item (see `claimAgentSlotInput`): while they
   * are online with room and no busier than `seen`, or their set holds it already; refused, the agent
   * as they are now.
   */
  claimAgentSlot(agentId: string, conversationId: string, seen: number): Promise<AgentClaim>;
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
    /**
     * `ifUnassigned`: only while the conversation is open and nobody has it (false when someone does);
     * `ifAssignee`: only while that agent has it (`''`: nobody), false otherwise; `release`: agents
     * whose set got it before the write (a claim), which let it go unless the conversation is theirs;
     * `reason`: why Threadline moved it on its own (`agent_away`, `agent_offline`, `agent_removed`), kept on the event.
     */
    options?: { ifUnassigned?: boolean; ifAssignee?: string; release?: readonly string[]; reason?: string },
  ): Promise<unknown>;
  /**
   * The hand-off's assignment, once per routed item (`routed`: `<at>#<item id>`) however many runs:
   * the agent the conversation has for the item, or undefined when a later item's routing assigned it.
   * The target agent's set got the conversation before (their claim); it, and each of `release` (sets
   * that held it already), lets it go unless the conversation is theirs.
   */
  assignRouted(
    conversationId: string,
    target: { agentId?: string | undefined; queue?: string | undefined },
    change: {
      by: string;
      now: string;
      eventId: string;
      routed: string;
      release?: readonly string[] | undefined;
    },
  ): Promise<{ agentId: string | undefined } | undefined>;
}

/** What the resolver hands routing: the item as stored, and whether this delivery wrote it. */
export interface InboundToRoute {
  customerId: string;
  conversationId: string;
  item: TimelineItem;
  /**
   * This delivery wrote the item (the message reference claim said it is the first): nothing can have
   * routed it yet, so the check for an earlier decision is skipped. Unset: check.
   */
  firstDelivery?: boolean | undefined;
  /**
   * Another delivery wrote the item, and this one's queue record was never received before: a twin
   * (the provider delivered the message twice), not a retry of the delivery that wrote it.
   */
  twin?: boolean | undefined;
  /** The conversation as the resolver's touch just left it: routing then need not read it. */
  conversation?: ConversationSnapshot | undefined;
  /** The customer's profile as the resolver read it, when the event did not write it: not read again. */
  customer?: Customer | undefined;
  /** The item reopened its resolved conversation (the touch that wrote it did). */
  reopened?: boolean | undefined;
}

/** Routes an inbound item the resolver has just written (`routeMessage` bound to its dependencies). */
export type RouteInbound = (input: InboundToRoute) => Promise<unknown>;

/**
 * How the queue handed the resolver an envelope: how often its record was received (1: its first
 * receive; more: a retry of it, after its earlier receive failed or ran out of time).
 */
export interface Receipt {
  receiveCount: number;
}
