import { clockTriggers } from '../domain/automations/triggers.js';
import type { ClockEvent, ConversationClockDeps } from '../domain/clock-ports.js';
import { missedCallTimer } from '../domain/missed-call.js';
import { durationMs } from '../domain/sla/duration.js';
import { matchSlaPolicy, type SlaPolicy } from '../domain/sla/policy.js';
import { slaPolicyOf, slaRulesIn } from '../domain/sla/rules.js';
import { applySlaEvent, type SlaState, startSla } from '../domain/sla/state.js';
import { slaTally, slaUndoTally } from '../domain/sla/tally.js';
import { slaTimers } from '../domain/sla/timers.js';
import type { Conversation } from '../domain/timeline.js';
import { newTimer, type Timer, timerId } from '../domain/timer-ports.js';
import { clockStart, heard } from '../domain/waiting.js';
import { webchatFallbackTimer } from '../domain/webchat/email-fallback.js';
import { runAutomations } from './run-automations.js';
import { scheduleCsatSurvey } from './schedule-csat-survey.js';
import { wakeConversation } from './wake-conversation.js';

const MAX_TRIES = 4;

/** What moves a conversation's clock now (a call's end only sets its missed call's timer). */
type ConversationEvent = Exclude<ClockEvent, { type: 'callEnded' }>;

/**
 * The SLA after the event (`state`) and the one the event applied to (`from`: the stored one, or the
 * one just started), or undefined when it changes nothing: started, moved or ended.
 */
async function nextSla(
  deps: ConversationClockDeps,
  conversation: Conversation,
  event: ConversationEvent,
): Promise<{ state: SlaState; from: SlaState | undefined } | undefined> {
  const rules = slaRulesIn(deps.policy, conversation.queue);
  const current = conversation.sla;
  if (!current || (current.endedAt && conversation.status === 'open' && event.type !== 'resolved')) {
    // No SLA policy to match: nothing starts, and the customer is not read for nothing. A failed
    // answer on an ended SLA starts none either (its conversation's next message does, as after a reopen).
    if (event.type !== 'inbound' && event.type !== 'reply') return undefined;
    if (rules.sla.policies.length === 0) return undefined;
    const customer = await deps.store.getCustomer(conversation.customerId);
    const policy = matchSlaPolicy(rules.sla.policies, {
      channels: conversation.channels,
      queue: conversation.queue,
      tags: customer?.tags ?? [],
      priority: conversation.priority ?? 'normal',
    });
    if (!policy) return undefined;
    // A reply before the inbound hook ran (the AI answered during routing) starts it from the wait, or
    // from the message the AI answered (its answer ended the wait already). A message runs from where its
    // wait does (`clockStart`): a reopen by one the resolve overtook (a replay, a week-late retry) from our
    // webhook's receipt, never from its own, perhaps long past, time.
    const start =
      event.type === 'inbound' ? clockStart(event) : (conversation.waitingSince ?? event.answers ?? event.at);
    // Reopened after an SLA that ended: its first response was counted then; a next response runs now.
    const started = startSla(rules, policy, start, (current?.version ?? -1) + 1, current !== undefined);
    // Ordered, as on a running SLA (`orderedAt`), by when the resolver had an overtaken message: after
    // the resolve it reopened after, so that resolve told again does not end the SLA it started.
    if (event.type === 'inbound' && event.overtaken)
      return { state: { ...started, updatedAt: heard(start, event.receivedAt) }, from: undefined };
    if (event.type === 'inbound') return { state: started, from: undefined };
    return { state: applySlaEvent(rules, policy, started, event) ?? started, from: started };
  }
  const policy = runningPolicy(deps, conversation.id, current);
  const state = applySlaEvent(rules, policy, current, event);
  return state && { state, from: current };
}

/**
 * The policy a running SLA moves by: its own, or, when the routing policy no longer has it, the
 * retired stand-in that keeps its deadlines (slaPolicyOf), with a warning so the operator knows.
 */
export function runningPolicy(
  deps: Pick<ConversationClockDeps, 'policy' | 'log'>,
  conversationId: string,
  sla: SlaState,
): SlaPolicy {
  const { policy, retired } = slaPolicyOf(deps.policy, sla.policy);
  if (retired && !sla.endedAt) {
    deps.log?.(
      'warn',
      'SLA policy no longer in the routing policy: the SLA runs on with the deadlines it has',
      {
        conversationId,
        policy: sla.policy,
      },
    );
  }
  return policy;
}

/** Moves the SLA, writing it only if nobody else did meanwhile (then reads and tries again). */
async function trackSla(
  deps: ConversationClockDeps,
  first: Conversation,
  event: ConversationEvent,
): Promise<void> {
  let conversation: Conversation | undefined = first;
  for (let tries = 0; conversation && tries < MAX_TRIES; tries++) {
    const change = await nextSla(deps, conversation, event);
    if (!change) {
      // An unmerge's retry: the SLA moved already, its timers perhaps not (a crash between): set them
      // again (the same timer set again is a no-op; one it no longer needs finds its deadline gone).
      if (event.type === 'waitLeft') await scheduleAll(deps, slaTimers(conversation.id, conversation.sla));
      return;
    }
    const next = change.state;
    const expected = conversation.sla ? conversation.sla.version : undefined;
    if (await deps.store.saveSla(conversation.id, next, expected)) {
      const aiReply = event.type === 'reply' ? event.author === 'ai' : undefined;
      // Undoing an answer takes back the target it met (counted on the answer's day).
      // A merge's resolve counts nothing: the kept conversation's clock counts the issue; nor does
      // a wait nobody could answer (the targets it stopped were neither met nor missed).
      const tally =
        event.type === 'unanswered'
          ? slaUndoTally(conversation, { before: change.from, after: next, at: event.at })
          : (event.type === 'resolved' && event.merged) ||
              event.type === 'unreachable' ||
              event.type === 'waitLeft'
            ? undefined
            : slaTally(conversation, { before: change.from, after: next, at: event.at, aiReply });
      if (tally) await deps.store.countSlaOutcomes(tally);
      const before = new Set(slaTimers(conversation.id, conversation.sla).map((t) => t.id));
      const after = slaTimers(conversation.id, next);
      for (const timer of after) if (!before.has(timer.id)) await deps.timers.schedule(timer);
      const kept = new Set(after.map((t) => t.id));
      for (const id of before) if (!kept.has(id)) await deps.timers.cancel(id);
      return;
    }
    conversation = await deps.store.getConversation(event.conversationId);
  }
  if (conversation) throw new Error(`the SLA of ${event.conversationId} kept changing under us`);
}

/** Sets every timer given (each keyed: one set already stays as it is). */
async function scheduleAll(deps: ConversationClockDeps, timers: readonly Timer[]): Promise<void> {
  for (const timer of timers) await deps.timers.schedule(timer);
}

/**
 * A reply starts the silence auto-resolve (and automations' `waitingOn`) counts; the customer's message
 * ends it. An automation's message is no answer: the customer is still waiting on the business. A reply
 * sent on a redrive (`sentAt`) is waited on from its send: its auto-resolve is due `after` from then.
 */
async function trackSilence(deps: ConversationClockDeps, conversation: Conversation, event: ClockEvent) {
  const after = deps.policy.autoResolve ? durationMs(deps.policy.autoResolve.after) : undefined;
  // Automations read it too (`waitingOn` when no SLA runs).
  const kept = after !== undefined || (deps.policy.automations?.length ?? 0) > 0;
  // A wait nobody can answer (STOP) leaves the conversation waiting on the customer, as an answer does.
  // So does a wait that left with an unmerge when nothing of the kept customer's own is unanswered.
  const answered =
    (event.type === 'reply' && event.author !== 'automation') ||
    event.type === 'unreachable' ||
    (event.type === 'waitLeft' && event.since === undefined);
  if (answered && kept) {
    await deps.store.setAwaitingCustomer(conversation.id, event.at, event.at);
    if (after === undefined) return;
    const silence = { kind: 'auto_resolve' as const, subject: conversation.id, version: event.at };
    const sentAt =
      event.type === 'reply' && event.sentAt && event.sentAt > event.at ? event.sentAt : undefined;
    if (sentAt) {
      // Sent on a redrive: the timer of its first send goes (due an `after` from the answer, perhaps
      // passed), and the silence is timed from the send (the same silence: its id names the send).
      await deps.timers.cancel(timerId(silence));
      const dueAt = new Date(Date.parse(sentAt) + after).toISOString();
      await deps.timers.schedule(newTimer({ ...silence, detail: `sent:${sentAt}`, dueAt }));
      return;
    }
    const dueAt = new Date(Date.parse(event.at) + after).toISOString();
    await deps.timers.schedule(newTimer({ ...silence, dueAt }));
  } else if (
    event.type === 'inbound' &&
    isAfter(heard(event.at, event.receivedAt), conversation.awaitingCustomerSince)
  ) {
    // A message received after the reply (it crossed it) ends the silence too, whatever its own time.
    await deps.store.setAwaitingCustomer(conversation.id, undefined, heard(event.at, event.receivedAt));
  } else if (event.type === 'unanswered' && conversation.awaitingCustomerSince === event.at) {
    // The silence the failed answer started ends: nothing reached the customer to wait on them for.
    const justAfter = new Date(Date.parse(event.at) + 1).toISOString();
    await deps.store.setAwaitingCustomer(conversation.id, undefined, justAfter);
  }
}

/**
 * Whether a customer's message ends the silence as read: one the answer came after (the AI answers
 * before its message reaches the clock) leaves it, and its conditional write would fail anyway.
 */
const isAfter = (at: string, since: string | undefined): boolean => since !== undefined && since < at;

/** Whether the policy sets anything the clock keeps for the event: targets, auto-resolve, automations, a resolve's survey. */
function clockConfigured(policy: ConversationClockDeps['policy'], event: ClockEvent): boolean {
  return (
    policy.sla.policies.length > 0 ||
    policy.autoResolve !== undefined ||
    (policy.automations?.length ?? 0) > 0 ||
    ((event.type === 'resolved' || event.type === 'reply') && policy.csat?.enabled === true)
  );
}

/**
 * With surveys on, who answered in this opening of the conversation (the survey asks only about an
 * answer given): written once by the AI's first answer and once by a person's, read otherwise.
 */
async function trackAnsweredBy(deps: ConversationClockDeps, conversation: Conversation, event: ClockEvent) {
  if (event.type !== 'reply' || !deps.policy.csat?.enabled || conversation.status !== 'open') return;
  const by = event.author === 'agent' ? 'agent' : event.author === 'ai' ? 'ai' : undefined;
  if (!by || conversation.answeredBy === 'agent' || conversation.answeredBy === by) return;
  await deps.store.markAnsweredBy?.(conversation.id, by);
}

/** Whether the conversation as the message's write left it is neither snoozed nor waiting on the customer. */
function nothingToWake(seen: Conversation | undefined): boolean {
  return seen !== undefined && seen.snoozedUntil === undefined && seen.awaitingCustomerSince === undefined;
}

/** A web-chat reply to a customer with an email: its fallback timer (no read: the reply path knew). */
async function scheduleEmailFallback(deps: ConversationClockDeps, event: ClockEvent): Promise<void> {
  if (event.type !== 'reply' || !event.emailFallback || deps.webchatFallbackMs === undefined) return;
  const { replyId, placedAt } = event.emailFallback;
  // The timer finds the reply by its key: an AI reply's is its place, a millisecond after the question.
  const reply = { conversationId: event.conversationId, replyId, at: placedAt ?? event.at };
  await deps.timers.schedule(webchatFallbackTimer(reply, deps.webchatFallbackMs));
}

/**
 * Tells a conversation's clock what happened: a customer's message wakes a snoozed conversation and
 * ends a silence; a reply starts one; and each moves the SLA (started by the first message, by the
 * policy that matches then). Deadlines are computed here, stored on the conversation, and their
 * warnings and breaches set as timers; then the automations the event sets off. Repeating an event
 * changes nothing.
 */
export async function trackConversationClock(deps: ConversationClockDeps, event: ClockEvent): Promise<void> {
  // A call's end reads and writes nothing now: its missed call is decided when it has settled.
  if (event.type === 'callEnded') return deps.timers.schedule(missedCallTimer(event));
  await scheduleEmailFallback(deps, event);
  // With no target, silence or rule configured, only a customer's message can change anything (it wakes
  // a snoozed conversation and ends a wait): a reply or a resolve then reads nothing, nor does a message
  // whose own write saw nothing to wake or end.
  if (!clockConfigured(deps.policy, event) && (event.type !== 'inbound' || nothingToWake(event.conversation)))
    return;
  // A message whose own write saw a snooze reads strongly: a lagging read may not show a snooze just made.
  // An unmerge's reopen, or its move of a kept wait, reads strongly too: it was just written.
  const consistent =
    (event.type === 'inbound' &&
      (event.conversation?.snoozedUntil !== undefined || event.unmerged === true)) ||
    event.type === 'waitLeft';
  const conversation = await deps.store.getConversation(event.conversationId, { consistent });
  if (!conversation) return;
  if (event.type === 'inbound' && conversation.snoozedUntil) {
    await wakeConversation(deps, { conversation, until: conversation.snoozedUntil, reason: 'customer' });
  }
  await trackAnsweredBy(deps, conversation, event);
  await trackSilence(deps, conversation, event);
  await trackSla(deps, conversation, event);
  if (event.type === 'resolved') await scheduleCsatSurvey(deps, conversation, event);
  for (const occurrence of clockTriggers(conversation, event)) await runAutomations(deps, occurrence);
}
