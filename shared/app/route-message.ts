import { type OutboundMessage, OutboundMessageSchema } from '../domain/outbound.js';
import type { Clock } from '../domain/ports.js';
import { aiReplyId, placedReplyAt, replyItemId } from '../domain/replies.js';
import { overTextLimit } from '../domain/reply-length.js';
import type { Responder, ResponderResult } from '../domain/responder.js';
import type { InboundToRoute, RouterAdmin, RouterStore } from '../domain/router-ports.js';
import { withAiDisclosure } from '../domain/routing/ai-disclosure.js';
import { decideRoute } from '../domain/routing/decide-route.js';
import type { RouteDecision } from '../domain/routing/decision.js';
import {
  foldDecision,
  handedOffMeanwhile,
  handsOff,
  routedEvent,
  toAssessment,
  unfoldDecision,
} from '../domain/routing/facts.js';
import { languageToRoute } from '../domain/routing/message-language.js';
import type { RoutingPolicy } from '../domain/routing/policy.js';
import { AI_AUTHOR_ID, routableKind, routeItemId } from '../domain/routing/routable.js';
import type { TimelineItem } from '../domain/timeline.js';
import { isWaiting } from '../domain/waiting.js';
import { ConflictError, UnprocessableError } from '../errors.js';
import { decideAnswered } from './ai-takeover.js';
import { handOff, takeHandOff } from './hand-off.js';
import { sendHoldingReply } from './holding-reply.js';
import { type Found, type Routing, readRouting } from './read-routing.js';
import { handedOnDetail, reopenedInAnotherLanguage } from './reopen-language.js';
import { type Recipient, type ReplyDeps, sendReply } from './send-reply.js';
import { noteUnreachable, unreachableAfter } from './unreachable-customer.js';

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
  /** No channel can take a reply (the customer opted out of SMS): nobody waits for one. */
  unreachable?: boolean;
  /** A twin's: the delivery that wrote the item routes it (`ROUTING_LEASE_MS`); this one settles nothing. */
  deferred?: boolean;
}

/** The AI's reply to an item, as the first delivery left it (a redelivery completes it). */
type Answered = { decision: RouteDecision; result: ResponderResult };

/** The AI's reply to an item, refused for good at its send (its item `failed`, no provider id). */
type Refused = { refused: OutboundMessage; code: string | undefined };

/**
 * How long a message may wait for the AI across redeliveries: after it, a person takes it without
 * the AI asked again (Bedrock throttling or down failed every try until it was dead-lettered, in no queue).
 */
export const AI_PATIENCE_MS = 5 * 60_000;

/**
 * How long the delivery that wrote an item may still be routing it: the resolver's function timeout
 * (stacks/stateful-stack.ts `inboundConsumer`). A twin delivery (`InboundToRoute.twin`) that finds the
 * item written no longer ago and nothing routed leaves it to that delivery, which holds it by its
 * write (the message reference's claim): its record stays on the queue until it has routed it, so a
 * crash or a failure is retried there. The AI is then asked once per message, with no write added;
 * later, the twin routes it as any redelivery (that delivery's time is up).
 */
export const ROUTING_LEASE_MS = 30_000;

/**
 * When routing of the item first began: when the delivery that wrote it read it (`storedAt`), or, for
 * an item written before it was kept, the provider's time of the message.
 */
const routingBegan = (item: { at: string; storedAt?: string | undefined }): number =>
  Date.parse(item.storedAt ?? item.at);

/** A decision, the AI's result when it was asked, and the language routing found when it was not. */
interface Decided {
  decision: RouteDecision;
  result: ResponderResult | undefined;
  language?: string | undefined;
}

/**
 * Decides without the AI; asks the responder only when the AI could take it, then decides again. A
 * message handed to a person without the AI (a rule before it, or an AI that never answered in time)
 * is decided again in the language of its text (`languageToRoute`, from the items already read), so it
 * goes to the language's queue as it would have once the AI had read it.
 */
async function decide(deps: RouterDeps, routing: Routing, redelivered: boolean): Promise<Decided> {
  const decision = decideRoute(routing.base);
  const late = redelivered && routing.now.getTime() - routingBegan(routing.item) > AI_PATIENCE_MS;
  if (decision.target === 'ai' && !late) {
    const answer = await deps.responder.respond(routing.context);
    // Disclosed once here, as stored: a redelivery sends the stored text as it is.
    const result = withAiDisclosure(deps.policy, routing.context, routing.conversationId, answer);
    return { decision: await decideAnswered(deps.store, routing, toAssessment(answer)), result };
  }
  // A person who has the conversation, or that it waits for, keeps it: no language to look for.
  if (decision.target !== 'ai' && !handsOff(decision, routing.conversation))
    return { decision, result: undefined };
  // The conversation's; else found in the recent messages; too few words: its web-chat page's, if any.
  const { conversation } = routing;
  const language =
    conversation.language ?? languageToRoute(routing.context, routing.item) ?? conversation.languageHint;
  const message = { ...routing.base.message, language };
  const decided = language ? decideRoute({ ...routing.base, message }) : decision;
  if (decision.target !== 'ai') return { decision: decided, result: undefined, language };
  const minutes = AI_PATIENCE_MS / 60_000;
  const detail = `the AI gave no answer within ${minutes} minutes of the message's arrival (its earlier tries failed); a person must answer`;
  deps.log?.('warn', 'the AI gave no answer in time: handed to a person', {
    customerId: routing.customerId,
    conversationId: routing.conversationId,
  });
  return {
    decision: { ...decided, target: 'human', reason: 'ai_failed', detail },
    result: undefined,
    language,
  };
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

/** The AI's turn: its decision, whether it replied, and whether no channel could take its reply. */
interface AiTurn {
  decision: RouteDecision;
  replied: boolean;
  unreachable?: boolean;
}

/**
 * Lets the AI reply through the same outbound path as agents. A reply the channel's rules refuse, or
 * no reply at all, turns the decision into a hand-off; one refused for a STOP from a customer reachable
 * on no other channel stays the AI's, `unreachable`: a person could not answer either.
 */
async function answerWithAi(
  deps: RouterDeps,
  routing: Routing,
  decision: RouteDecision,
  result: ResponderResult | undefined,
): Promise<AiTurn> {
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
      // Counted once the reply is stored, after its first response (when it was one) is counted.
      onStored: () => countDecision(deps, routing, decision, true),
      recipient: recipientOf(routing),
    });
    return { decision, replied: true };
  } catch (error) {
    if (!(error instanceof ConflictError || error instanceof UnprocessableError)) throw error;
    if (unreachableAfter(routing, error.code)) {
      const detail = `the AI's reply was refused on ${routing.item.channel} (${error.code}); no channel can take a reply`;
      return { decision: { ...decision, detail }, replied: false, unreachable: true };
    }
    const detail = `the AI's reply was refused on ${routing.item.channel} (${error.code}); a person must answer`;
    return { decision: { ...decision, target: 'human', reason: 'low_confidence', detail }, replied: false };
  }
}

/** Counts a decision once, by whoever recorded it (a crash just before loses one count). */
async function countDecision(
  deps: RouterDeps,
  routing: Routing,
  decision: RouteDecision,
  answeredByAi: boolean,
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
): Promise<'done' | 'unreachable' | 'answered' | Answered | Refused | undefined> {
  const { customerId, item } = input;
  const done = await deps.store.getTimelineItem(customerId, item.at, decisionId);
  // Recorded for the AI, with no reply: none could go out (`unreachable`), and nobody waits for one.
  if (done)
    return (done.data as Partial<RouteDecision> | undefined)?.target === 'ai' ? 'unreachable' : 'done';
  const placedAt = placedReplyAt(item.at);
  const reply = await deps.store.getTimelineItem(customerId, placedAt, replyItemId(aiReplyId(item.id)));
  if (!reply) return undefined;
  // Refused at its send: the invocation that recorded it may have died before what follows.
  if (reply.status === 'failed' && !reply.providerMessageId) return refusedAnswer(input, reply, placedAt);
  const routed = unfoldDecision(reply, placedAt)[0];
  if (reply.status !== 'queued' || reply.providerMessageId || !reply.text || routed === reply) {
    return 'answered';
  }
  const decision = routed?.data as RouteDecision;
  return { decision, result: { reply: reply.text, confidence: 1 } };
}

/** The AI's refused reply as it was sent (`routedBefore` read its item), and the refusal's code. */
function refusedAnswer(input: InboundToRoute, reply: TimelineItem, placedAt: string): Refused {
  const refused = OutboundMessageSchema.parse({
    id: aiReplyId(input.item.id),
    customerId: reply.customerId,
    conversationId: reply.conversationId ?? input.conversationId,
    at: reply.at,
    placedAt,
    channel: reply.channel,
    to: reply.to,
    ...(reply.text !== undefined ? { text: reply.text } : {}),
    attachments: [],
    author: (reply.data as { author?: unknown } | undefined)?.author,
  });
  return { refused, code: reply.errors?.[0]?.code };
}

/**
 * A message no channel can answer: kept on the timeline with a note saying so, its decision recorded for
 * the AI (no hand-off: no queue, no agent, no holding reply), and `unreachable`, so no wait starts.
 */
async function keepUnreachable(
  deps: RouterDeps,
  routing: Routing,
  decision: RouteDecision,
  routed: boolean,
): Promise<RouteOutcome> {
  await noteUnreachable(deps.admin, routing);
  const outcome = { routed, decision, unreachable: true };
  await recordDecision(deps, routing, outcome);
  deps.log?.('info', 'message kept: no channel can take a reply', {
    customerId: routing.customerId,
    conversationId: routing.conversationId,
    channel: routing.item.channel,
  });
  return outcome;
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
 * with a summary note and an assignment, once per conversation: of messages routed at the same time,
 * the first to take the hand-off (`takeHandOff`) makes it, and the others wait with it. The decision is
 * recorded last, as an event keyed on the item (or, when the AI answers, on its reply, placed right after
 * the item), so a redelivery after a crash completes the work (every step is idempotent) and one after the decision does nothing.
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
  if (before === 'unreachable') return { routed: false, unreachable: true };
  // The AI answered it before: the resolver starts no wait from it (the answer may have recorded none).
  if (before === 'answered') return { routed: false, replied: true };
  // A twin while the delivery that wrote the item may still be routing it (asking the AI): left to it.
  if (!before && input.twin && deps.clock.now().getTime() - routingBegan(item) < ROUTING_LEASE_MS) {
    deps.log?.('info', 'twin delivery: routed by the delivery that wrote the item', {
      customerId,
      conversationId,
    });
    return { routed: false, deferred: true };
  }
  // Refused at the send by an invocation that may have died after recording it: what follows, once.
  if (before && 'refused' in before) {
    await deps.replies.sendNow?.settleRefused?.(before.refused, before.code);
    return { routed: false, replied: true };
  }
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
  const routing = reopenedInAnotherLanguage(await readRouting(deps, found, kind), input.reopened);
  // An AI reply written before a crash is queued as it was written, without asking the AI again.
  const first = before ?? (await decide(deps, routing, !input.firstDelivery));
  const answered = await answerWithAi(deps, routing, first.decision, first.result);
  const { replied } = answered;
  if (answered.unreachable) return keepUnreachable(deps, routing, answered.decision, before === undefined);
  // Another message routed at the same time handed the conversation off first: this one waits with it.
  const taken =
    handsOff(answered.decision, routing.conversation) &&
    !(await takeHandOff(deps.store, routing, answered.decision.queue));
  const decision = taken ? handedOffMeanwhile(answered.decision) : handedOnDetail(routing, answered.decision);
  // A reply queued again after a crash: the item was routed before.
  const outcome: RouteOutcome & { decision: RouteDecision } = { routed: before === undefined, decision };
  if (replied) outcome.replied = true;
  // The conversation's, else the AI's, else the one routing found in a message the AI did not read.
  const language =
    routing.conversation.language ??
    first.result?.language ??
    ('language' in first ? first.language : undefined);
  const handing = handsOff(decision, routing.conversation);
  if (handing) {
    const assignedTo = await handOff(deps, routing, decision, first.result, language);
    if (assignedTo) outcome.assignedTo = assignedTo;
  }
  await recordDecision(deps, routing, outcome);
  const handedOff = { decision, itemId: item.id, channel, recipient: recipientOf(routing) };
  if (handing && outcome.routed) await sendHoldingReply(deps, handedOff, language);
  deps.log?.('info', 'message routed', {
    customerId,
    conversationId,
    target: decision.target,
    reason: decision.reason,
    queue: decision.queue,
  });
  return outcome;
}
