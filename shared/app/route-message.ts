import { timelineToAnswer } from '../domain/answer-context.js';
import type { Clock } from '../domain/ports.js';
import { aiReplyId, placedReplyAt, replyItemId } from '../domain/replies.js';
import { overTextLimit } from '../domain/reply-length.js';
import {
  buildHandoffSummary,
  type Responder,
  type ResponderContext,
  type ResponderResult,
  viewConversation,
} from '../domain/responder.js';
import type { InboundToRoute, RouterAdmin, RouterStore } from '../domain/router-ports.js';
import { withAiDisclosure } from '../domain/routing/ai-disclosure.js';
import type { ConversationState } from '../domain/routing/conversation-state.js';
import { factsFromState, RECENT_ITEMS } from '../domain/routing/conversation-state.js';
import { decideRoute } from '../domain/routing/decide-route.js';
import type { RouteDecision, RouteInput } from '../domain/routing/decision.js';
import {
  type ConversationFacts,
  foldDecision,
  handsOff,
  lastHelpedBy,
  routedEvent,
  toAssessment,
  unfoldDecision,
} from '../domain/routing/facts.js';
import type { RoutingPolicy } from '../domain/routing/policy.js';
import { AI_AUTHOR_ID, routableKind, routeItemId } from '../domain/routing/routable.js';
import type { Conversation, Customer, TimelineItem } from '../domain/timeline.js';
import { isWaiting } from '../domain/waiting.js';
import { ConflictError, UnprocessableError } from '../errors.js';
import { decideAnswered } from './ai-takeover.js';
import { claimAgent } from './claim-agent.js';
import { sendHoldingReply } from './holding-reply.js';
import { type Recipient, type ReplyDeps, sendReply } from './send-reply.js';

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

/** What happened to one inbound item. */
export interface RouteOutcome {
  decision?: RouteDecision;
  /** False when the item was routed before (a redelivery) or is not something to route. */
  routed: boolean;
  replied?: boolean;
  assignedTo?: string;
}

/** The AI's reply to an item, as the first delivery left it (a redelivery completes it). */
type Answered = { decision: RouteDecision; result: ResponderResult };

/** One routing in progress: the item, its customer and conversation, and what the rules read. */
interface Routing {
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
  context: ResponderContext;
  facts: ConversationFacts;
  base: Omit<RouteInput, 'ai'>;
  now: Date;
}

/** What routing found before reading the recent timeline. */
type Found = Omit<Routing, 'context' | 'facts' | 'base' | 'now'>;

/**
 * Reads what the decision depends on: the conversation's kept state and the customer's most recent
 * items (one bounded query per merged partition), never the whole timeline.
 */
async function readRouting(
  deps: RouterDeps,
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
  return { ...found, context: { customer, timeline, conversationId }, facts, base, now };
}

/**
 * How long a message may wait for the AI across redeliveries: after it, a person takes it without
 * the AI asked again (Bedrock throttling or down failed every try until it was dead-lettered, in no queue).
 */
export const AI_PATIENCE_MS = 5 * 60_000;

/** Decides without the AI; asks the responder only when the AI could take it, then decides again. */
async function decide(
  deps: RouterDeps,
  routing: Routing,
  redelivered: boolean,
): Promise<{ decision: RouteDecision; result: ResponderResult | undefined }> {
  const decision = decideRoute(routing.base);
  if (decision.target !== 'ai') return { decision, result: undefined };
  if (redelivered && routing.now.getTime() - Date.parse(routing.item.at) > AI_PATIENCE_MS) {
    const minutes = AI_PATIENCE_MS / 60_000;
    const detail = `the AI gave no answer within ${minutes} minutes of the message (its earlier tries failed); a person must answer`;
    deps.log?.('warn', 'the AI gave no answer in time: handed to a person', {
      customerId: routing.customerId,
      conversationId: routing.conversationId,
    });
    return {
      decision: { ...decision, target: 'human', reason: 'ai_failed', detail },
      result: undefined,
    };
  }
  const answer = await deps.responder.respond(routing.context);
  // Disclosed once here, as stored: a redelivery sends the stored text as it is.
  const result = withAiDisclosure(deps.policy, routing.context, routing.conversationId, answer);
  return { decision: await decideAnswered(deps.store, routing, toAssessment(answer)), result };
}

/** Whom a reply goes to, as routing read them a moment ago: the reply reads them again for nothing. */
const recipientOf = (routing: Routing): Recipient => ({
  conversationId: routing.conversationId,
  root: routing.customerId,
  customer: routing.customer,
  partitions: routing.partitions,
  profiles: routing.profiles,
  firstResponded: routing.state.firstResponseAt !== undefined,
  nobodyWaiting: !isWaiting(routing.conversation),
  answering: routing.item,
});

/**
 * Lets the AI reply through the same outbound path as agents. A reply the channel's rules refuse, or
 * no reply at all, turns the decision into a hand-off.
 */
async function answerWithAi(
  deps: RouterDeps,
  routing: Routing,
  decision: RouteDecision,
  result: ResponderResult | undefined,
): Promise<{ decision: RouteDecision; replied: boolean }> {
  if (decision.target !== 'ai') return { decision, replied: false };
  if (!result?.reply) {
    // Nothing to say (nothing pending): the conversation waits for a person rather than for nobody.
    const detail = 'the AI had no reply to give';
    return { decision: { ...decision, target: 'human', reason: 'low_confidence', detail }, replied: false };
  }
  // An answer the provider would refuse for its length leaves the customer with nothing: a person answers.
  const tooLong = overTextLimit(routing.item.channel, result.reply);
  if (tooLong) {
    return {
      decision: { ...decision, target: 'human', reason: 'low_confidence', detail: tooLong },
      replied: false,
    };
  }
  try {
    await sendReply(deps.replies, {
      conversationId: routing.conversationId,
      request: { text: result.reply, attachments: [] },
      agentId: AI_AUTHOR_ID,
      author: { kind: 'ai', id: AI_AUTHOR_ID },
      // Named and placed after the item, with the decision on it: no reply-id item, no `routed` item.
      answers: {
        itemId: routing.item.id,
        at: routing.item.at,
        routed: { ...foldDecision(decision, routing.item.id) },
      },
      // Counted with the first response when the AI's reply was one: one metrics write.
      onStored: (firstResponseMs) => countDecision(deps, routing, decision, true, firstResponseMs),
      recipient: recipientOf(routing),
    });
    return { decision, replied: true };
  } catch (error) {
    if (!(error instanceof ConflictError || error instanceof UnprocessableError)) throw error;
    const detail = `the AI's reply was refused on ${routing.item.channel} (${error.code}); a person must answer`;
    return { decision: { ...decision, target: 'human', reason: 'low_confidence', detail }, replied: false };
  }
}

/** Of an AI answer that was not sent, what the hand-off note quotes. */
const HELD_BACK_CHARS = 500;

/**
 * The AI's answer routing held back (under the policy's threshold, refused by the channel, too long
 * for it), for the agent to start from; nothing when the AI handed off itself (its reply is then a
 * holding message) or gave no answer.
 */
function heldBackAnswer(result: ResponderResult | undefined): string {
  if (!result?.reply || result.handoff) return '';
  const text =
    result.reply.length > HELD_BACK_CHARS ? `${result.reply.slice(0, HELD_BACK_CHARS)}…` : result.reply;
  const from = result.sources?.length ? ` (from ${result.sources.join(', ')})` : '';
  return `\nThe AI's answer, not sent${from}: "${text}"`;
}

/**
 * Hands off: a summary note for the agent, then an assignment to an agent (a slot claimed on their
 * item first: `claimAgent`) or the queue. Both are placed right after the item (as the AI's reply
 * would be) and keyed on it, not on the clock: two deliveries of the message at once, or one after a
 * crash, write one note, and the assignment is made once for the item (`assignRouted`), so they cannot
 * give it to two agents. Answers the agent it has.
 */
async function handOff(
  deps: RouterDeps,
  routing: Routing,
  decision: RouteDecision,
  result: ResponderResult | undefined,
): Promise<string | undefined> {
  const { context, conversationId, decisionId, now, item } = routing;
  const at = placedReplyAt(item.at);
  const summary =
    result?.handoff?.summary ??
    buildHandoffSummary(context, viewConversation(context), {
      sentiment: result?.sentiment,
      language: result?.language,
    });
  await deps.admin.addNote(
    conversationId,
    `Hand-off (${decision.reason}): ${decision.detail}.\n${summary}${heldBackAnswer(result)}`,
    AI_AUTHOR_ID,
    at,
    `handoff:${item.id}`,
    'ai',
  );
  await deps.store.markEscalated(conversationId, { at: now.toISOString(), itemId: item.id });
  const { profiles } = routing;
  const { choice, holders } = await claimAgent(deps.store, conversationId, {
    conversation: { queue: decision.queue, language: result?.language },
    lastHelpedBy: lastHelpedBy(profiles.length ? profiles : [routing.customer]),
    stickyDays: deps.policy.stickyAgentDays,
    now,
  });
  const eventId = `assigned:${conversationId}:${decisionId}`;
  const change = { by: AI_AUTHOR_ID, now: at, eventId, routed: `${item.at}#${item.id}`, release: holders };
  if ('agentId' in choice) {
    const target = { agentId: choice.agentId, queue: decision.queue };
    return (await deps.admin.assignRouted(conversationId, target, change))?.agentId;
  }
  if (routing.conversation.queue !== decision.queue || holders.length) {
    await deps.admin.assignRouted(conversationId, { queue: decision.queue }, change);
  }
  return undefined;
}

/**
 * Counts a decision once, by whoever recorded it (a crash just before loses one count), with the
 * conversation's first response when the AI's reply was one (`firstResponseMs`).
 */
async function countDecision(
  deps: RouterDeps,
  routing: Routing,
  decision: RouteDecision,
  answeredByAi: boolean,
  firstResponseMs?: number,
) {
  const { item, facts } = routing;
  await deps.store.countDecision?.({
    at: routing.now.toISOString(),
    itemId: item.id,
    target: decision.target,
    reason: decision.reason,
    answeredByAi,
    channelSwitch:
      decision.reason === 'channel_switch' || facts.channelsBefore.some((c) => c !== item.channel),
    ...(firstResponseMs !== undefined ? { firstResponseMs } : {}),
  });
}

/**
 * Records the decision last, and counts it. The AI's reply carries its decision: recorded and counted
 * with the reply, right after its write (`sendReply`'s `onStored`).
 */
async function recordDecision(
  deps: RouterDeps,
  routing: Routing,
  outcome: RouteOutcome & { decision: RouteDecision },
): Promise<void> {
  if (outcome.replied) return;
  const { decision } = outcome;
  const event = routedEvent(routing.item, routing, decision, outcome.assignedTo);
  if (await deps.store.putTimelineItem(event, undefined)) await countDecision(deps, routing, decision, false);
}

/**
 * What an earlier delivery of the item did: `done` (its decision is recorded), `answered` (its AI reply
 * is on its way or went), the AI's reply still to be queued (a crash between its write and the
 * outbound queue), or nothing.
 */
async function routedBefore(
  deps: RouterDeps,
  input: InboundToRoute,
  decisionId: string,
): Promise<'done' | 'answered' | Answered | undefined> {
  const { customerId, item } = input;
  if (await deps.store.getTimelineItem(customerId, item.at, decisionId)) return 'done';
  const placedAt = placedReplyAt(item.at);
  const reply = await deps.store.getTimelineItem(customerId, placedAt, replyItemId(aiReplyId(item.id)));
  if (!reply) return undefined;
  const routed = unfoldDecision(reply, placedAt)[0];
  if (reply.status !== 'queued' || reply.providerMessageId || !reply.text || routed === reply) {
    return 'answered';
  }
  const decision = routed?.data as RouteDecision;
  return { decision, result: { reply: reply.text, confidence: 1 } };
}

/** The customer's merged profiles: the resolver's read when it is one profile with no merges, else read. */
function mergedCustomers(deps: RouterDeps, { customerId, customer }: InboundToRoute) {
  if (customer && customer.id === customerId && !customer.mergedInto && customer.mergedFrom.length === 0) {
    return Promise.resolve({ partitions: [customerId], customers: [customer] });
  }
  return deps.store.mergedCustomers(customerId);
}

/**
 * Routes one inbound message or voicemail the resolver has just written: decides AI or a human queue
 * (`decideRoute`, asking the responder only when the AI could take it), lets the AI reply through the
 * same outbound path as agents (a reply the channel's rules refuse becomes a hand-off), or hands off
 * with a summary note and an assignment. The decision is recorded last, as an event keyed on the
 * item (or, when the AI answers, on its reply, placed right after the item), so a redelivery after a
 * crash completes the work (every step is idempotent) and one after the decision does nothing.
 */
export async function routeMessage(deps: RouterDeps, input: InboundToRoute): Promise<RouteOutcome> {
  const { customerId, conversationId, item } = input;
  const kind = routableKind(item);
  const channel = item.channel;
  if (!kind || !channel) return { routed: false };
  const decisionId = routeItemId(item.id);
  // Only a delivery that did not write the item may find it routed already.
  const before = input.firstDelivery ? undefined : await routedBefore(deps, input, decisionId);
  if (before === 'done') return { routed: false };
  // The AI answered it before: the resolver starts no wait from it (the answer may have recorded none).
  if (before === 'answered') return { routed: false, replied: true };
  const [merged, kept] = await Promise.all([
    mergedCustomers(deps, input),
    input.conversation ?? deps.store.getConversationState(conversationId),
  ]);
  const customer = merged.customers.find((c) => c.id === customerId);
  if (!customer || !kept) return { routed: false };
  const found: Found = {
    customerId,
    conversationId,
    item: { ...item, channel },
    customer,
    profiles: merged.customers,
    partitions: merged.partitions.length ? merged.partitions : [customerId],
    conversation: kept.conversation,
    state: kept.state,
    decisionId,
  };
  const routing = await readRouting(deps, found, kind);
  // An AI reply written before a crash is queued as it was written, without asking the AI again.
  const first = before ?? (await decide(deps, routing, !input.firstDelivery));
  const { decision, replied } = await answerWithAi(deps, routing, first.decision, first.result);
  // A reply queued again after a crash: the item was routed before.
  const outcome: RouteOutcome & { decision: RouteDecision } = { routed: before === undefined, decision };
  if (replied) outcome.replied = true;
  if (handsOff(decision)) {
    const assignedTo = await handOff(deps, routing, decision, first.result);
    if (assignedTo) outcome.assignedTo = assignedTo;
  }
  await recordDecision(deps, routing, outcome);
  const handedOff = { decision, itemId: item.id, channel, recipient: recipientOf(routing) };
  if (handsOff(decision) && outcome.routed) await sendHoldingReply(deps, handedOff, first.result?.language);
  deps.log?.('info', 'message routed', {
    customerId,
    conversationId,
    target: decision.target,
    reason: decision.reason,
    queue: decision.queue,
  });
  return outcome;
}
