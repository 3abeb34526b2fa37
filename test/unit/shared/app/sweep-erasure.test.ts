import { describe, expect, it } from 'vitest';
import { eraseCustomer } from '#shared/app/erase-customer.js';
import { fireTimer } from '#shared/app/fire-timer.js';
import { ERASURE_SWEEP_DELAY_MS, erasureSweepTimer } from '#shared/app/sweep-erasure.js';
import type { AuditRecord } from '#shared/domain/audit.js';
import type { ConversationClockDeps } from '#shared/domain/clock-ports.js';
import type { ErasureReport } from '#shared/domain/privacy.js';
import type { Timer } from '#shared/domain/timer-ports.js';

const NOW = new Date('2026-12-06T05:00:00.000Z');
const clock = { now: () => NOW };

/** The timers function's deps as the erasure's second pass uses them: the sweeper answering `outcome`. */
function sweepDeps(outcome: 'swept' | 'erasing' | 'none' | undefined) {
  const swept: string[] = [];
  const scheduled: Timer[] = [];
  const deps = {
    clock,
    timers: { schedule: async (timer: Timer) => void scheduled.push(timer), cancel: async () => undefined },
    store: { getConversation: async () => undefined },
    ...(outcome
      ? {
          erasures: {
            sweepErased: async (customerId: string) => {
              swept.push(customerId);
              return outcome;
            },
          },
        }
      : {}),
  } as unknown as ConversationClockDeps;
  return { deps, swept, scheduled };
}

describe("the erasure's second pass", () => {
  it('is set by every erase call before anything is erased, due after the grace window', async () => {
    const events: string[] = [];
    const report = { customerId: 'cu_1', customerIds: ['cu_1'], complete: true } as ErasureReport;
    const deps = {
      clock,
      audit: { recordAudit: async (entry: Omit<AuditRecord, 'id'>) => ({ ...entry, id: 'au_1' }) },
      admin: {
        erase: async () => {
          events.push('erase');
          return report;
        },
      },
      timers: {
        schedule: async (timer: Timer) => {
          events.push(`timer ${timer.kind} ${timer.subject} ${timer.dueAt}`);
        },
      },
    };
    await eraseCustomer(deps, 'cu_1', 'ag_admin');
    await eraseCustomer(deps, 'cu_1', 'ag_admin');
    const due = new Date(NOW.getTime() + ERASURE_SWEEP_DELAY_MS).toISOString();
    const timer = `timer erasure_sweep cu_1 ${due}`;
    expect(events).toEqual([timer, 'erase', timer, 'erase']);
  });

  it('sweeps the customer the timer names, and nothing of a conversation', async () => {
    const { deps, swept, scheduled } = sweepDeps('swept');
    expect(await fireTimer(deps, erasureSweepTimer('cu_1', NOW))).toBe('fired');
    expect(swept).toEqual(['cu_1']);
    expect(scheduled).toEqual([]);
  });

  it('comes again later, as another timer, while the erasure is still under way', async () => {
    const { deps, scheduled } = sweepDeps('erasing');
    const first = erasureSweepTimer('cu_1', NOW);
    expect(await fireTimer(deps, first)).toBe('stale');
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]?.id).not.toBe(first.id);
    expect(scheduled[0]?.dueAt).toBe(new Date(NOW.getTime() + ERASURE_SWEEP_DELAY_MS).toISOString());
  });

  it('does nothing for a customer never erased, or where no sweeper is set', async () => {
    for (const outcome of ['none', undefined] as const) {
      const { deps, scheduled } = sweepDeps(outcome);
      expect(await fireTimer(deps, erasureSweepTimer('cu_1', NOW))).toBe('stale');
      expect(scheduled).toEqual([]);
    }
  });
});
