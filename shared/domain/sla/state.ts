import * as z from 'zod';
import { type ClockAuthor, clockStart } from '../waiting.js';
import { addBusinessTime, businessTimeBetween, type Calendar } from './calendar.js';
import { durationMs } from './duration.js';
import { SLA_METRICS, type SlaMetric, SlaMetricSchema, type SlaPolicy } from './policy.js';
import { type SlaRules, slaCalendar } from './rules.js';

export type { SlaRules } from './rules.js';

/** A breach: which target, and when it fell due. At most one per metric. */
export const SlaBreachSchema = z.object({ metric: SlaMetricSchema, at: z.iso.datetime() });

/**
 * A conversation's SLA, kept on it. Deadlines are computed when their event happens; a met one is
 * removed. `version` guards concurrent writers; `updatedAt` and `updatedBy` are the newest event
 * applied (its time and kind), so a redelivered or older one changes nothing.
 */
export const SlaStateSchema = z.object({
  policy: z.string(),
  firstResponseDue: z.iso.datetime().optional(),
  nextResponseDue: z.iso.datetime().optional(),
  resolutionDue: z.iso.datetime().optional(),
  status: z.enum(['active', 'hit', 'missed']),
  breaches: z.array(SlaBreachSchema).max(3).default([]),
  /** When each running target warns. */
  warnings: z.partialRecord(SlaMetricSchema, z.iso.datetime()).default({}),
  /** Open time left of the resolution target while it is paused (waiting on the customer). */
  resolutionLeftMs: z.number().int().min(0).optional(),
  waitingOn: z.enum(['agent', 'customer']).default('agent'),
  responded: z.boolean().default(false),
  version: z.number().int().min(0).default(0),
  updatedAt: z.iso.datetime(),
  /** The kind of the event applied at `updatedAt`; unset on an SLA written before it was kept. */
  updatedBy: z.enum(['inbound', 'reply', 'unreachable', 'waitLeft', 'resolved']).optional(),
  endedAt: z.iso.datetime().optional(),
  /** When the customer's wait on the business began: the message that started it (kept once answered). */
  waitFrom: z.iso.datetime().optional(),
  /** The latest answer that counted, at its time as an answer (an AI answer's place after its message). */
  answeredAt: z.iso.datetime().optional(),
  /**
   * The wait that answer alone ended (`since` its start; `first`: it was the first response), which
   * its delivery failure brings back; unset when an earlier answer had ended it, or it was undone.
   * `met`: the response target the answer met (counted met then, uncounted if it is undone); `ai`: an
   * AI's answer (the counter's breakdown it was counted under).
   */
  answeredWait: z
    .object({
      since: z.iso.datetime(),
      first: z.boolean(),
      met: SlaMetricSchema.optional(),
      ai: z.boolean().optional(),
    })
    .optional(),
});
export type SlaState = z.infer<typeof SlaStateSchema>;

/** Something that moves a conversation's SLA. */
export type SlaEvent =
  /**
   * `receivedAt`: when we received it (our receipt, not the provider's time). A message received after
   * the newest event applied is newer than it whatever its own time: an answer made before we had it
   * did not answer it. `arrivedAt`, `overtaken`: its targets start when `clockStart` says.
   */
  | {
      type: 'inbound';
      at: string;
      receivedAt?: string | undefined;
      arrivedAt?: string | undefined;
      overtaken?: boolean | undefined;
    }
  /** `answers`: the time of the customer's message an AI answer answers (it is placed right after it). */
  | { type: 'reply'; at: string; author: ClockAuthor; answers?: string | undefined }
  /** `merged`: resolved by a merge, whose kept conversation carries the issue: its targets end with no outcome. */
  | { type: 'resolved'; at: string; merged?: boolean | undefined }
  /** At `at` no channel can take a reply any more (the customer texted STOP): the wait ends unanswered. */
  | { type: 'unreachable'; at: string }
  /**
   * At `at` (an unmerge) the message the wait ran from went back to another customer: the wait runs
   * on from `since`, the kept customer's own earliest message left unanswered, or, with none, ends
   * unanswered (as `unreachable`: no outcome counted).
   */
  | { type: 'waitLeft'; at: string; since?: string | undefined }
  | { type: 'breach'; metric: SlaMetric; due: string }
  /** The answer at `at` never reached the customer (its delivery failed): the wait it ended is back. */
  | { type: 'unanswered'; at: string };

/** The SLA's field holding a target's deadline. */
export const dueField = (metric: SlaMetric) => `${metric}Due` as const;

interface Clock {
  calendar: Calendar | undefined;
  policy: SlaPolicy;
}

function addTime(clock: Clock, from: string, ms: number): string | undefined {
  const start = new Date(from);
  const end = clock.calendar ? addBusinessTime(clock.calendar, start, ms) : new Date(start.getTime() + ms);
  return end?.toISOString();
}

/**
 * Starts a target of `total` ms with `left` of it to run from `from`: its deadline and its warning. A
 * paused target whose length the policy no longer states (a retired policy) runs on with what was
 * left, without a warning.
 */
function startTarget(state: SlaState, clock: Clock, metric: SlaMetric, from: string, left?: number): void {
  const total = durationMs(clock.policy[metric] ?? '');
  const remaining = left ?? total;
  if (remaining === undefined) return;
  const due = addTime(clock, from, remaining);
  if (!due) return;
  state[dueField(metric)] = due;
  if (total === undefined) {
    delete state.warnings[metric];
    return;
  }
  const warnAfter = remaining - (1 - clock.policy.warnAt) * total;
  const warning = warnAfter >= 0 ? addTime(clock, from, Math.round(warnAfter)) : undefined;
  if (warning) state.warnings[metric] = warning;
  else delete state.warnings[metric];
}

function stopTarget(state: SlaState, metric: SlaMetric): void {
  delete state[dueField(metric)];
  delete state.warnings[metric];
}

/** Whether the SLA recorded a breach of the target. */
export const breached = (state: SlaState, metric: SlaMetric) =>
  state.breaches.some((b) => b.metric === metric);

function addBreach(state: SlaState, metric: SlaMetric, at: string): void {
  if (breached(state, metric)) return;
  state.breaches.push({ metric, at });
  state.status = 'missed';
}

/**
 * A fresh SLA for a conversation whose customer wrote at `at`. `again`: the conversation had an SLA
 * that ended (it was resolved, then reopened): its first response was counted then, so this one runs a
 * next-response target instead (one first-response outcome per conversation).
 */
export function startSla(
  rules: SlaRules,
  policy: SlaPolicy,
  at: string,
  version = 0,
  again = false,
): SlaState {
  const clock = { calendar: slaCalendar(rules, policy), policy };
  const state: SlaState = {
    policy: policy.name,
    status: 'active',
    breaches: [],
    warnings: {},
    waitingOn: 'agent',
    responded: again,
    version,
    updatedAt: at,
    updatedBy: 'inbound',
    waitFrom: at,
  };
  startTarget(state, clock, again ? 'nextResponse' : 'firstResponse', at);
  startTarget(state, clock, 'resolution', at);
  return state;
}

/**
 * The customer's message, its clock starting at `at` (`clockStart`): the wait on the business starts
 * there. The paused resolution time runs again from then, or from the pause (`pausedAt`) for a message
 * sent before the answer that paused it but received after it (its time until the pause was counted already).
 */
function onInbound(state: SlaState, clock: Clock, at: string, pausedAt: string): void {
  if (state.waitingOn === 'agent') return;
  state.waitingOn = 'agent';
  state.waitFrom = at;
  if (state.resolutionLeftMs !== undefined) {
    startTarget(state, clock, 'resolution', at > pausedAt ? at : pausedAt, state.resolutionLeftMs);
    delete state.resolutionLeftMs;
  }
  if (state.responded && !state.nextResponseDue) startTarget(state, clock, 'nextResponse', at);
  // Nobody could answer before (`unreachable`): the first response is still to come.
  else if (!state.responded && !state.firstResponseDue) startTarget(state, clock, 'firstResponse', at);
}

/**
 * The wait an answer at `at` alone ends: the running one; or, when the business had answered already,
 * the AI's answer to a message after that answer (`answers`), which the clock may hear of first.
 */
function waitAnswered(state: SlaState, answers: string | undefined): SlaState['answeredWait'] {
  if (state.waitingOn === 'agent') {
    const since = state.waitFrom ?? answers;
    return since === undefined ? undefined : { since, first: !state.responded };
  }
  if (answers !== undefined && (state.answeredAt === undefined || answers > state.answeredAt))
    return { since: answers, first: false };
  return undefined;
}

/**
 * The response target an answer meets: the running one, unless it was missed already; or, for an
 * answer to a message the clock has not heard of (no target runs yet), the one that message would
 * have started, when the policy has it.
 */
function answerMet(state: SlaState, clock: Clock, wait: { first: boolean }): { met?: SlaMetric } {
  const running = RESPONSE_METRICS.find((m) => state[dueField(m)] !== undefined);
  if (running) return breached(state, running) ? {} : { met: running };
  const metric = wait.first ? 'firstResponse' : 'nextResponse';
  return durationMs(clock.policy[metric] ?? '') === undefined ? {} : { met: metric };
}

const RESPONSE_METRICS = ['firstResponse', 'nextResponse'] as const;

/**
 * An agent's reply meets the response targets, the AI's with `aiRepliesCount`; an automation's never.
 * A counted answer's time is kept (`answeredAt`), so the SLA moves even when the business had answered
 * already: an older message told after it (the AI answers before its message reaches the clock) is then
 * known as answered.
 */
function onReply(state: SlaState, clock: Clock, event: Extract<SlaEvent, { type: 'reply' }>): void {
  const { at, author } = event;
  if (author === 'automation' || (author === 'ai' && !clock.policy.aiRepliesCount)) return;
  const wait = waitAnswered(state, event.answers);
  if (wait)
    state.answeredWait = {
      ...wait,
      ...answerMet(state, clock, wait),
      ...(author === 'ai' ? { ai: true } : {}),
    };
  else delete state.answeredWait;
  state.answeredAt = at;
  state.responded = true;
  waitOnCustomer(state, clock, at);
}

/** The business no longer owes an answer from `at`: the response targets stop, resolution time pauses. */
function waitOnCustomer(state: SlaState, clock: Clock, at: string): void {
  state.waitingOn = 'customer';
  stopTarget(state, 'firstResponse');
  stopTarget(state, 'nextResponse');
  const due = state.resolutionDue;
  if (due && !breached(state, 'resolution')) {
    // Waiting on the customer pauses resolution time: keep what is left of it.
    state.resolutionLeftMs = clock.calendar
      ? businessTimeBetween(clock.calendar, new Date(at), new Date(due))
      : Math.max(0, Date.parse(due) - Date.parse(at));
    stopTarget(state, 'resolution');
  }
}

/**
 * No channel can take a reply from `at` (the customer texted STOP, and wrote on nothing else): the wait
 * on the business ends as an answer would end it, but answers nothing (no response counted met, no
 * first response); a response deadline it stops is never breached.
 */
function onUnreachable(state: SlaState, clock: Clock, at: string): void {
  if (state.waitingOn === 'agent') waitOnCustomer(state, clock, at);
}

/**
 * The message the wait ran from left with an unmerge (at `at`): with `since` (the kept customer's own
 * message still unanswered), the response target runs from that message instead, as it would have
 * had the other's never been there; with none, the wait ends as `onUnreachable` ends it (no response
 * counted met, none missed: a deadline it stops is never breached).
 */
function onWaitLeft(state: SlaState, clock: Clock, at: string, since: string | undefined): void {
  if (state.waitingOn !== 'agent') return;
  if (since === undefined) {
    waitOnCustomer(state, clock, at);
    return;
  }
  stopTarget(state, 'firstResponse');
  stopTarget(state, 'nextResponse');
  startTarget(state, clock, state.responded ? 'nextResponse' : 'firstResponse', since);
  state.waitFrom = since;
}

/** Restarts a response target that an answer stopped, from the customer's message it had answered. */
function restartResponse(state: SlaState, clock: Clock, wait: { since: string; first: boolean }): void {
  stopTarget(state, 'firstResponse');
  stopTarget(state, 'nextResponse');
  if (wait.first) state.responded = false;
  startTarget(state, clock, wait.first ? 'firstResponse' : 'nextResponse', wait.since);
  state.waitFrom = wait.since;
}

/**
 * The answer at `at` never reached the customer: when it is still the latest answer that counted and
 * it alone ended a wait, that wait is back from the customer's message (not from now), with the
 * response target it met (a deadline passed since breaches at once) and the resolution time it paused
 * (its deadline as before the answer). When the customer wrote since, the wait moves back to that
 * earlier message. Done once: the answer is forgotten, so a redelivered status changes nothing.
 */
function onUnanswered(state: SlaState, clock: Clock, at: string): void {
  const wait = state.answeredWait;
  if (state.answeredAt !== at || !wait) return;
  delete state.answeredWait;
  delete state.answeredAt;
  if (state.waitingOn === 'agent') {
    // The customer's later message started a wait: it runs from the earlier one.
    if (state.waitFrom === undefined || wait.since < state.waitFrom) restartResponse(state, clock, wait);
    return;
  }
  state.waitingOn = 'agent';
  restartResponse(state, clock, wait);
  if (state.resolutionLeftMs !== undefined) {
    startTarget(state, clock, 'resolution', at, state.resolutionLeftMs);
    delete state.resolutionLeftMs;
  }
}

/**
 * The resolve ends every target: one whose deadline passed unseen is missed, the others are met. A
 * merge's ends them with no outcome (neither met nor missed: the kept conversation's clock counts the
 * issue), its `status` as it stood.
 */
function onResolved(state: SlaState, at: string, merged: boolean): void {
  for (const metric of SLA_METRICS) {
    const due = state[dueField(metric)];
    if (due && due <= at && !merged) addBreach(state, metric, due);
    stopTarget(state, metric);
  }
  delete state.resolutionLeftMs;
  state.endedAt = at;
  if (state.status === 'active' && !merged) state.status = 'hit';
}

/**
 * Events at the same instant apply in the order they happen in: the customer's message, then the
 * answer to it, then the resolve (an AI's answer is told before the message it answers). An event
 * is identified by its kind and time, so the same one again is never newer than itself.
 */
const EVENT_ORDER = { inbound: 0, reply: 1, unreachable: 1, waitLeft: 1, resolved: 2 } as const;

/** Whether an event at `at` comes after the newest one applied (an SLA without `updatedBy` ignores a tie, as before). */
function isNewer(current: SlaState, type: keyof typeof EVENT_ORDER, at: string): boolean {
  if (at !== current.updatedAt) return at > current.updatedAt;
  return current.updatedBy !== undefined && EVENT_ORDER[type] > EVENT_ORDER[current.updatedBy];
}

/**
 * When an event comes in the SLA's order, or undefined when it is not newer than the newest applied: its
 * time; for a customer's message timed before that but received after it (it crossed the answer, which
 * could not answer it), its receipt, which the SLA then keeps (so the same message again is not newer).
 */
function orderedAt(
  current: SlaState,
  event: Extract<SlaEvent, { type: 'inbound' | 'reply' | 'unreachable' | 'waitLeft' | 'resolved' }>,
): string | undefined {
  if (isNewer(current, event.type, event.at)) return event.at;
  if (event.type !== 'inbound' || event.receivedAt === undefined) return undefined;
  return isNewer(current, event.type, event.receivedAt) ? event.receivedAt : undefined;
}

/**
 * The SLA after an event, or undefined when the event changes nothing (an older or repeated event, a
 * stale breach, a reply that does not count). Pure: the caller stores it and sets its timers.
 */
export function applySlaEvent(
  rules: SlaRules,
  policy: SlaPolicy,
  current: SlaState,
  event: SlaEvent,
): SlaState | undefined {
  if (current.endedAt) return undefined;
  const state: SlaState = structuredClone(current);
  const clock = { calendar: slaCalendar(rules, policy), policy };
  if (event.type === 'breach') {
    if (state[dueField(event.metric)] !== event.due || breached(state, event.metric)) return undefined;
    addBreach(state, event.metric, event.due);
  } else if (event.type === 'unanswered') {
    // Keyed on the answer, not ordered by time: it undoes that answer, whatever came since.
    onUnanswered(state, clock, event.at);
  } else {
    const at = orderedAt(current, event);
    if (at === undefined) return undefined;
    if (event.type === 'inbound') onInbound(state, clock, clockStart(event), current.updatedAt);
    else if (event.type === 'reply') onReply(state, clock, event);
    else if (event.type === 'unreachable') onUnreachable(state, clock, event.at);
    else if (event.type === 'waitLeft') onWaitLeft(state, clock, event.at, event.since);
    else onResolved(state, event.at, event.merged === true);
    state.updatedAt = at;
    state.updatedBy = event.type;
  }
  state.version = current.version + 1;
  const moved = { version: state.version, updatedAt: state.updatedAt, updatedBy: state.updatedBy };
  return JSON.stringify(state) === JSON.stringify({ ...current, ...moved }) ? undefined : state;
}
