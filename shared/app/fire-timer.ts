import { CLOCK_AUTHOR_ID, type ConversationClockDeps } from '../domain/clock-ports.js';
import { durationMs } from '../domain/sla/duration.js';
import { type BreachAction, raisesPriority, type SlaMetric, SlaMetricSchema } from '../domain/sla/policy.js';
import { slaRulesIn } from '../domain/sla/rules.js';
import { applySlaEvent } from '../domain/sla/state.js';
import { slaTally } from '../domain/sla/tally.js';
import { isLiveSlaTimer } from '../domain/sla/timers.js';
import type { Conversation } from '../domain/timeline.js';
import { newTimer, type Timer } from '../domain/timer-ports.js';
import { ConflictError } from '../errors.js';
import { fireAutomationTimer } from './fire-automation-timer.js';
import { settleMissedCall } from './missed-call.js';
import { refillHolder } from './refill-holder.js';
import { runAutomations } from './run-automations.js';
import { sendCsatSurvey } from './send-csat-survey.js';
import { sendWebchatFallback } from './send-webchat-fallback.js';
import { fireErasureSweep } from './sweep-erasure.js';
import { runningPolicy, trackConversationClock } from './track-conversation-clock.js';
import { wakeConversation } from './wake-conversation.js';

/** What firing a timer did: `stale` when what it watched had changed, so it did nothing. */
export type FireOutcome = 'fired' | 'stale';

/** Puts a `sla_warning` or `sla_breached` event on the timeline, once per target and deadline. */
async function slaEvent(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
  metric: SlaMetric,
): Promise<void> {
  const event = timer.kind;
  await deps.store.putTimelineItem(
    {
      id: `${event}:${conversation.id}:${metric}:${timer.version}`,
      type: 'event',
      event,
      at: timer.dueAt,
      customerId: conversation.customerId,
      conversationId: conversation.id,
      data: { conversationId: conversation.id, metric, due: timer.version, policy: conversation.sla?.policy },
    },
    undefined,
  );
}

/** The automations a warning or a breach sets off, once per target and deadline. */
async function slaAutomations(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
  metric: SlaMetric,
) {
  const key = `${metric}/${timer.version}`;
  await runAutomations(deps, {
    trigger: timer.kind === 'sla_warning' ? 'sla_warning' : 'sla_breached',
    conversationId: conversation.id,
    key,
    at: timer.dueAt,
  });
}

/**
 * A breach's assignment to an agent: made only when they are registered (`GET /api/agents`). One who
 * never registered (a typo, an agent of another stage) or was removed would take the conversation out
 * of the Unassigned view to nobody: it stays where it is, with a note saying why (its id and time fixed
 * by the breach, so once) and a log line.
 */
async function assignOnBreach(
  deps: ConversationClockDeps,
  conversation: Conversation,
  agent: string,
  breach: { key: string; at: string },
) {
  const { key, at } = breach;
  if (await deps.store.getAgent(agent)) {
    await deps.admin.assign(
      conversation.id,
      { agentId: agent },
      CLOCK_AUTHOR_ID,
      at,
      `assigned:${key}:agent`,
    );
    // The agent it leaves, if any, has room again (the caller assigns only when it is not theirs already).
    await refillHolder(deps, conversation.assignee, conversation.id);
    return;
  }
  const policy = conversation.sla?.policy;
  deps.log?.('warn', 'SLA breach assigns to an agent who is not registered: not assigned', {
    conversationId: conversation.id,
    agent,
    policy,
  });
  const where = conversation.queue ? `in the ${conversation.queue} queue` : 'where it was';
  const text = `Target missed: not assigned to ${agent} (the SLA policy ${policy}'s onBreach), who is not a registered agent; left ${where}.`;
  await deps.admin.addNote(conversation.id, text, CLOCK_AUTHOR_ID, at, `${key}:unknown-agent`, 'ai');
}

/**
 * Carries out one breach action; each is idempotent, so a retry repeats nothing: its items have fixed
 * ids and are timed by the breach (`at`, the timer's due time), never by the attempt. A timeline item
 * is keyed by its time too: timed by the attempt, the retry after a conflict wrote a second note.
 */
async function act(
  deps: ConversationClockDeps,
  conversation: Conversation,
  action: BreachAction,
  breach: { key: string; at: string },
) {
  const { id } = conversation;
  const { key, at } = breach;
  if (action.type === 'priority') {
    if (raisesPriority(conversation.priority, action.priority))
      await deps.store.setPriority(id, action.priority);
  } else if (action.type === 'queue') {
    if (conversation.queue !== action.queue) {
      await deps.admin.assign(id, { queue: action.queue }, CLOCK_AUTHOR_ID, at, `assigned:${key}:queue`);
    }
  } else if (action.type === 'assign') {
    if (conversation.assignee !== action.agent)
      await assignOnBreach(deps, conversation, action.agent, breach);
  } else {
    await deps.admin.addNote(id, action.text, CLOCK_AUTHOR_ID, at, key, 'ai');
  }
}

/**
 * A breach: the policy's actions, the event, then the breach on the SLA (last, so a retry after a
 * crash still sees the target running and completes the rest).
 */
async function breach(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
  metric: SlaMetric,
) {
  const sla = conversation.sla;
  if (!sla) return;
  const policy = runningPolicy(deps, conversation.id, sla);
  const key = `sla:${conversation.id}:${metric}:${timer.version}`;
  for (const action of policy.onBreach) await act(deps, conversation, action, { key, at: timer.dueAt });
  await slaEvent(deps, conversation, timer, metric);
  await slaAutomations(deps, conversation, timer, metric);
  const rules = slaRulesIn(deps.policy, conversation.queue);
  const next = applySlaEvent(rules, policy, sla, { type: 'breach', metric, due: timer.version });
  // Another writer moved the SLA meanwhile: the next read decides whether this breach still stands.
  if (!next) return;
  if (!(await deps.store.saveSla(conversation.id, next, sla.version))) {
    throw new ConflictError(
      `the SLA of ${conversation.id} changed while its breach was recorded; retrying`,
      'sla_changed',
    );
  }
  const tally = slaTally(conversation, { before: sla, after: next, at: timer.version });
  if (tally) await deps.store.countSlaOutcomes(tally);
}

/**
 * Resolved at `at` already: by this timer's first run, which may have died before what follows the
 * resolve (the refill of the agent who had it). A retry completes it; each step repeats nothing.
 */
const resolvedAt = (conversation: Conversation, at: string) =>
  conversation.status === 'resolved' && conversation.resolvedAt === at;

/**
 * Resolves a conversation left waiting on the customer since the timer's version, under the policy's
 * `autoResolve` as it is when the timer fires (an admin may have changed it since the timer was set):
 * taken out, the timer is used up and nothing is resolved; made longer, the wait is timed again to the
 * new end; made shorter, the conversation is resolved now (its silence is past the new delay too).
 * Snoozed past the timer's time, it waits for the snooze's end instead (the agent set it aside until
 * then). A timer set again is the same silence, due later, whose id names that time (`snoozed:<end>`
 * or `until:<end>`), so firing twice sets it once. Found resolved at the timer's time, it completes
 * that resolve (`resolveSilent`, a retry after a crash).
 */
async function autoResolve(deps: ConversationClockDeps, conversation: Conversation, timer: Timer) {
  if (resolvedAt(conversation, timer.dueAt)) return resolveSilent(deps, conversation, timer.dueAt);
  if (conversation.status !== 'open' || conversation.awaitingCustomerSince !== timer.version) return false;
  const after = deps.policy.autoResolve ? durationMs(deps.policy.autoResolve.after) : undefined;
  if (after === undefined) {
    deps.log?.('info', 'auto-resolve is off in the routing policy now: timer used up, not resolved', {
      conversationId: conversation.id,
      waitingSince: timer.version,
    });
    return false;
  }
  const end = new Date(Date.parse(timer.version) + after).toISOString();
  const until = conversation.snoozedUntil;
  const later =
    until && until > end
      ? { detail: `snoozed:${until}`, dueAt: until }
      : { detail: `until:${end}`, dueAt: end };
  if (later.dueAt > timer.dueAt) {
    const silence = { kind: 'auto_resolve' as const, subject: conversation.id, version: timer.version };
    await deps.timers.schedule(newTimer({ ...silence, ...later }));
    return true;
  }
  return resolveSilent(deps, conversation, timer.dueAt);
}

/**
 * The auto-resolve at `at`, then its clock (the survey), then the agent who had it takes waiting work
 * (a resolve keeps the assignee, so the conversation as read names them); false when it does not stand
 * resolved. Run again on a conversation it resolved (the timer's retry after a crash), the resolve's
 * write does not apply and what follows it is completed: its event, counts and clock are keyed, and
 * the refill fills only the room the agent has, so they never get two conversations for one slot.
 */
async function resolveSilent(deps: ConversationClockDeps, conversation: Conversation, at: string) {
  const resolvedAt = await deps.admin.resolveConversation(conversation.id, CLOCK_AUTHOR_ID, at);
  if (resolvedAt === undefined) return false;
  await trackConversationClock(deps, { type: 'resolved', conversationId: conversation.id, at: resolvedAt });
  await refillHolder(deps, conversation.assignee, conversation.id);
  return true;
}

/**
 * A snooze's end. When the silence auto-resolve counts is over by then, the conversation is resolved at
 * that end instead of woken (the auto-resolve's timer, due then too, would resolve it right after): the
 * timeline shows the resolve, never a wake of a conversation that is resolved the same moment. The
 * resolve ends the snooze, so whichever of the two timers fires second does nothing.
 */
async function snoozeEnd(deps: ConversationClockDeps, conversation: Conversation, timer: Timer) {
  const until = timer.version;
  const after = deps.policy.autoResolve ? durationMs(deps.policy.autoResolve.after) : undefined;
  const since = conversation.awaitingCustomerSince;
  const silentBy =
    since !== undefined && after !== undefined && Date.parse(since) + after <= Date.parse(until);
  if (silentBy && conversation.status === 'open' && conversation.snoozedUntil === until) {
    return resolveSilent(deps, conversation, until);
  }
  // Resolved by this timer's first run, which died before the rest (the refill): completed.
  if (silentBy && resolvedAt(conversation, until)) return resolveSilent(deps, conversation, until);
  return wakeConversation(deps, { conversation, until, reason: 'timer' });
}

/** Whether the timer still watches what it was set for, then what it does. */
async function fire(deps: ConversationClockDeps, conversation: Conversation, timer: Timer): Promise<boolean> {
  if (timer.kind === 'snooze_wake') return snoozeEnd(deps, conversation, timer);
  if (timer.kind === 'auto_resolve') return autoResolve(deps, conversation, timer);
  if (timer.kind === 'automation') return fireAutomationTimer(deps, conversation, timer);
  if (timer.kind === 'csat') return sendCsatSurvey(deps, conversation, timer);
  if (timer.kind === 'webchat_fallback') return sendWebchatFallback(deps, conversation, timer);
  if (timer.kind === 'missed_call') return settleMissedCall(deps, conversation, timer);
  const metric = SlaMetricSchema.safeParse(timer.detail);
  if (!metric.success || !isLiveSlaTimer(conversation.sla, metric.data, timer.version)) return false;
  if (timer.kind === 'sla_warning') {
    await slaEvent(deps, conversation, timer, metric.data);
    await slaAutomations(deps, conversation, timer, metric.data);
  } else await breach(deps, conversation, timer, metric.data);
  return true;
}

/** An agent's refill (`refillAgent`); where the clock has none, the timer is dropped as stale. */
async function fireAgentRefill(deps: ConversationClockDeps, timer: Timer): Promise<FireOutcome> {
  if (!deps.refillAgent) return 'stale';
  const taken = await deps.refillAgent(timer.subject, Number(timer.detail) || 0);
  deps.log?.('info', 'agent refill ran', { agentId: timer.subject, round: timer.detail, taken });
  return 'fired';
}

/**
 * Fires a timer: a warning or a breach of an SLA target (and the automations it sets off), a snooze's
 * end, an auto-resolve, a delayed automation, a satisfaction survey, a web-chat reply's email fallback, an
 * erasure's second pass, a missed call settled. A timer
 * whose version no longer matches what it watches (a deadline met or moved, a snooze ended, the
 * customer wrote) is stale and dropped with a log line; one that fires twice or late does nothing
 * more than once.
 */
export async function fireTimer(deps: ConversationClockDeps, timer: Timer): Promise<FireOutcome> {
  // Not a conversation's: the erasure's second pass over a customer's partitions.
  if (timer.kind === 'erasure_sweep') return fireErasureSweep(deps, timer);
  // An agent's: their refill, asked for by their presence change or a resolve (see agent-refill).
  if (timer.kind === 'agent_refill') return fireAgentRefill(deps, timer);
  // A snooze's end reads strongly: a lagging read that missed the snooze's last move drops its only timer.
  const consistent = timer.kind === 'snooze_wake';
  const conversation = await deps.store.getConversation(timer.subject, { consistent });
  const fired = conversation ? await fire(deps, conversation, timer) : false;
  const lateMs = deps.clock.now().getTime() - Date.parse(timer.dueAt);
  deps.log?.('info', fired ? 'timer fired' : 'stale timer dropped', {
    timerKind: timer.kind,
    conversationId: timer.subject,
    lateMs,
  });
  return fired ? 'fired' : 'stale';
}
