import * as z from 'zod';

/** What a timer does when it fires; each kind names what it watches. */
export const TimerKindSchema = z.enum([
  'sla_warning',
  'sla_breached',
  'snooze_wake',
  'auto_resolve',
  'automation',
  'csat',
  'webchat_fallback',
  'erasure_sweep',
  'missed_call',
  'agent_refill',
]);
export type TimerKind = z.infer<typeof TimerKindSchema>;

/**
 * A durable timer. `version` is the state of what it watches when it was set (a deadline, a snooze's
 * end, the reply a silence started with): a timer whose version no longer matches is stale and does
 * nothing, so firing twice, late or after a change is harmless.
 */
export const TimerSchema = z.object({
  /** Stable, derived from kind, subject and version: scheduling the same timer twice is one timer. */
  id: z.string().min(1).max(512),
  kind: TimerKindSchema,
  dueAt: z.iso.datetime(),
  /** The conversation id (for `erasure_sweep`, the erased customer's id; for `agent_refill`, the agent's). */
  subject: z.string().min(1).max(256),
  version: z.string().min(1).max(128),
  /** What else the kind needs (an SLA metric, an automation rule). */
  detail: z.string().max(128).optional(),
});
export type Timer = z.infer<typeof TimerSchema>;

/** Where timers are set: EventBridge Scheduler on AWS, a persisted store in the local runtime. */
export interface Timers {
  /** Sets a timer; setting one with the same id again is a no-op. */
  schedule(timer: Timer): Promise<void>;
  /** Removes a timer that has not fired, if there is one (a saving: a stale timer is dropped anyway). */
  cancel(timerId: string): Promise<void>;
}

/** The id of a timer: the same for the same kind, subject, detail and version. */
export function timerId(timer: Omit<Timer, 'id' | 'dueAt'>): string {
  return [timer.kind, timer.subject, timer.detail ?? '', timer.version].join('|');
}

/** A timer with its id. */
export function newTimer(timer: Omit<Timer, 'id'>): Timer {
  return { id: timerId(timer), ...timer };
}
