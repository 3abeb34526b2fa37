import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { newTimer, type Timer, type Timers } from '../domain/timer-ports.js';

/**
 * How long after an erase call the erasure's second pass runs: past the longest a resolver that read
 * the profile before the erasure began may still write (its function's timeout, 30 s on AWS, and the
 * queue's visibility timeout locally), and past the change feed's lag, so the live-log and webhook
 * notes of what it wrote are there too.
 */
export const ERASURE_SWEEP_DELAY_MS = 5 * 60 * 1000;

/** The second pass's timer: one per customer and version (`erase` for the one an erase call sets). */
export function erasureSweepTimer(customerId: string, now: Date, version = 'erase'): Timer {
  const dueAt = new Date(now.getTime() + ERASURE_SWEEP_DELAY_MS).toISOString();
  return newTimer({ kind: 'erasure_sweep', subject: customerId, version, dueAt });
}

/**
 * Sets the erasure's second pass, before the call erases anything, so a call that crashes after its
 * first delete still has it (every call sets the same timer: one while it waits).
 */
export async function scheduleErasureSweep(
  timers: Pick<Timers, 'schedule'> | undefined,
  customerId: string,
  now: Date,
): Promise<void> {
  await timers?.schedule(erasureSweepTimer(customerId, now));
}

/**
 * The erasure's second pass (see `sweepErased`): an erasure still under way when it fires sets it
 * again for later (another version, so another timer); one with no tombstone (an erase call refused)
 * does nothing.
 */
export async function fireErasureSweep(
  deps: Pick<ConversationClockDeps, 'erasures' | 'timers' | 'clock' | 'log'>,
  timer: Timer,
): Promise<'fired' | 'stale'> {
  if (!deps.erasures) return 'stale';
  const now = deps.clock.now();
  const outcome = await deps.erasures.sweepErased(timer.subject, now.toISOString());
  if (outcome === 'erasing') {
    await deps.timers.schedule(erasureSweepTimer(timer.subject, now, `after:${timer.dueAt}`));
  }
  deps.log?.('info', 'erasure swept again', { customerId: timer.subject, outcome });
  return outcome === 'swept' ? 'fired' : 'stale';
}
