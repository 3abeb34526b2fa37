import { ConflictError, UnprocessableError } from '../errors.js';
import { type Agent, chooseAgent } from './assignment.js';
import type { Channel } from './envelope.js';
import type { Clock } from './ports.js';
import { type ReplyDeps, sendReply } from './replies.js';
import {
  buildHandoffSummary,
  type Responder,
  type ResponderContext,
  type ResponderResult,
  viewConversation,
} from './responder.js';
import { decideRoute } from './routing/decide-route.js';
import type { AiAssessment, InboundKind, RouteDecision } from './routing/decision.js';
import type { RoutingPolicy } from './routing/policy.js';
import {
  authorKind,
  type Conversation,
  type Customer,
  conversationOf,
  type TimelineItem,
} from './timeline.js';

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
  ): Promise<void>;
}

/** What the router needs. */
export interface RouterDeps {
  store: RouterStore;
  admin: RouterAdmin;
  replies: ReplyDeps;
  responder: Responder;
  policy: RoutingPolicy;
  clock: Clock;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/** The AI's id as an author of replies, notes and assignments. */
export const AI_AUTHOR_ID = 'responder';

/** What happened to one inbound item. */
export interface RouteOutcome {
  decision?: RouteDecision;
  /** False when the item was routed before (a redelivery) or is not something to route. */
  routed: boolean;
  replied?: boolean;
  assignedTo?: string;
}

/** The timeline id of the routing decision of an item. */
export const routeItemId = (itemId: string) => `route:${itemId}`;

/** Whether an item is something to route: an inbound customer message or a voicemail. */
export function routableKind(item: TimelineItem): InboundKind | undefined {
  if (item.type === 'message' && item.direction === 'inbound') {
    if (item.data?.quarantined === true || item.data?.autoReply === true) return undefined;
    return 'message';
  }
  if (item.type === 'event' && item.event === 'call_voicemail') return 'voicemail';
  return undefined;
}

const MAX_TIMELINE_PAGES = 20;

async function readTimeline(store: RouterStore, customerId: string): Promise<TimelineItem[]> {
  const items: TimelineItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TIMELINE_PAGES; page++) {
    const result = await store.timeline(customerId, { limit: 200, cursor });
    items.push(...result.items.filter((item) => item.event !== 'channel_switch'));
    if (!result.cursor) break;
    cursor = result.cursor;
  }
  return items;
}

/** What the routing rules need to know about the conversation, from its timeline before this item. */
function conversationFacts(
  timeline: readonly TimelineItem[],
  conversationId: string,
  item: TimelineItem,
): { channelsBefore: Channel[]; humanReplied: boolean; routedTo?: RouteDecision['target'] } {
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
function lastHelpedBy(profiles: readonly Customer[]): { agentId: string; at: string } | undefined {
  let best: { agentId: string; at: string } | undefined;
  for (const profile of profiles) {
    if (profile.lastAgentId && profile.lastAgentAt && (!best || profile.lastAgentAt > best.at)) {
      best = { agentId: profile.lastAgentId, at: profile.lastAgentAt };
    }
  }
  return best;
}

/**
 * Routes one inbound message or voicemail the resolver has just written: decides AI or a human queue
 * (`decideRoute`, asking the responder only when the AI could take it), lets the AI reply through the
 * same outbound path as agents (a reply the channel's rules refuse becomes a hand-off), or hands off
 * with a summary note and an assignment. The decision is recorded last, as an event keyed on the
 * item, so a redelivery after a crash completes the work (every step is idempotent) and one after
 * the decision does nothing.
 */
export async function routeInbound(
  deps: RouterDeps,
  input: { customerId: string; conversationId: string; item: TimelineItem },
): Promise<RouteOutcome> {
  const { customerId, conversationId, item } = input;
  const kind = routableKind(item);
  if (!kind || !item.channel) return { routed: false };
  const decisionId = routeItemId(item.id);
  if (await deps.store.getTimelineItem(customerId, item.at, decisionId)) return { routed: false };

  const [customer, conversation] = await Promise.all([
    deps.store.getCustomer(customerId),
    deps.store.getConversation(conversationId),
  ]);
  if (!customer || !conversation) return { routed: false };
  const everything = await readTimeline(deps.store, customerId);
  // The responder reads what there was up to this item: a redelivery sees what the first one saw.
  const timeline = everything.filter((i) => i.at <= item.at || i.id === item.id);
  const now = deps.clock.now();
  const facts = conversationFacts(everything, conversationId, item);
  const base = {
    message: { channel: item.channel, kind, text: item.text },
    conversation: {
      status: conversation.status,
      assignee: conversation.assignee,
      queue: conversation.queue,
      ...facts,
    },
    customer: { tags: customer.tags },
    policy: deps.policy,
    now,
  };

  let decision = decideRoute(base);
  const context: ResponderContext = { customer, timeline, conversationId };
  let result: ResponderResult | undefined;
  if (decision.target === 'ai') {
    result = await deps.responder.respond(context);
    decision = decideRoute({ ...base, ai: toAssessment(result) });
  }

  const at = now.toISOString();
  const outcome: RouteOutcome = { routed: true };
  if (decision.target === 'ai' && result?.reply) {
    try {
      await sendReply(deps.replies, {
        conversationId,
        request: { text: result.reply, attachments: [] },
        agentId: AI_AUTHOR_ID,
        author: { kind: 'ai', id: AI_AUTHOR_ID },
        idempotencyKey: decisionId,
      });
      outcome.replied = true;
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof UnprocessableError)) throw error;
      decision = {
        ...decision,
        target: 'human',
        reason: 'low_confidence',
        detail: `the AI's reply was refused on ${item.channel} (${error.code}); a person must answer`,
      };
    }
  } else if (decision.target === 'ai') {
    // Nothing to say (nothing pending): the conversation waits for a person rather than for nobody.
    decision = {
      ...decision,
      target: 'human',
      reason: 'low_confidence',
      detail: 'the AI had no reply to give',
    };
  }

  const handsOff =
    decision.target === 'human' &&
    decision.reason !== 'human_took_over' &&
    decision.reason !== 'awaiting_human';
  if (handsOff) {
    const summary =
      result?.handoff?.summary ??
      buildHandoffSummary(context, viewConversation(context), {
        sentiment: result?.sentiment,
        language: result?.language,
      });
    await deps.admin.addNote(
      conversationId,
      `Hand-off (${decision.reason}): ${decision.detail}.\n${summary}`,
      AI_AUTHOR_ID,
      at,
      `handoff:${item.id}`,
      'ai',
    );
    const { customers: profiles } = await deps.store.mergedCustomers(customerId);
    const choice = chooseAgent({
      agents: await deps.store.listAgents(),
      conversation: { queue: decision.queue, language: result?.language },
      lastHelpedBy: lastHelpedBy(profiles.length ? profiles : [customer]),
      stickyDays: deps.policy.stickyAgentDays,
      now,
    });
    // One assignment event per routed item, however often it is delivered.
    const assignmentId = `assigned:${conversationId}:${decisionId}`;
    if ('agentId' in choice) {
      await deps.admin.assign(
        conversationId,
        { agentId: choice.agentId, queue: decision.queue },
        AI_AUTHOR_ID,
        at,
        assignmentId,
      );
      outcome.assignedTo = choice.agentId;
    } else if (conversation.queue !== decision.queue) {
      await deps.admin.assign(conversationId, { queue: decision.queue }, AI_AUTHOR_ID, at, assignmentId);
    }
  }

  const recorded = await deps.store.putTimelineItem(
    {
      id: decisionId,
      type: 'event',
      event: 'routed',
      at: item.at,
      customerId,
      conversationId,
      channel: item.channel,
      data: {
        target: decision.target,
        queue: decision.queue,
        reason: decision.reason,
        detail: decision.detail,
        afterHours: decision.afterHours,
        itemId: item.id,
        ...(outcome.assignedTo ? { assignedTo: outcome.assignedTo } : {}),
      },
    },
    undefined,
  );
  // Counted once, by whoever wrote the decision; a crash just before this loses one count, never adds one.
  if (recorded) {
    await deps.store.countDecision?.({
      target: decision.target,
      reason: decision.reason,
      answeredByAi: outcome.replied === true,
      channelSwitch:
        decision.reason === 'channel_switch' || facts.channelsBefore.some((c) => c !== item.channel),
    });
  }
  deps.log?.('info', 'message routed', {
    customerId,
    conversationId,
    target: decision.target,
    reason: decision.reason,
    queue: decision.queue,
  });
  return { ...outcome, decision };
}
