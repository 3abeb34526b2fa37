import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import type { ErasureReport } from '#shared/domain/privacy.js';
import type { Timers } from '#shared/domain/timer-ports.js';
import { type AuditDeps, audited } from './audited.js';
import { scheduleErasureSweep } from './sweep-erasure.js';

/**
 * Erases a customer and everyone merged with them (the right to erasure) as an admin; answers the
 * erasure report and writes the audit record (`in_progress` for a call that did part of a heavy
 * customer's erasure, `ok` for the one that finished it), naming every customer erased: the one asked
 * for first, then those merged with them, who go too. Each call first sets the erasure's second pass
 * (`timers`; see `sweep-erasure`), for what a message begun before the erasure writes after its steps.
 */
export function eraseCustomer(
  deps: { admin: Pick<AgentAdmin, 'erase'>; timers?: Pick<Timers, 'schedule'> | undefined } & AuditDeps,
  customerId: string,
  agentId: string,
): Promise<ErasureReport> {
  return audited(
    deps,
    { agentId, action: 'erase', customerIds: [customerId] },
    async () => {
      const now = deps.clock.now();
      await scheduleErasureSweep(deps.timers, customerId, now);
      return deps.admin.erase(customerId, agentId, now.toISOString());
    },
    (report) => (report.complete ? 'ok' : 'in_progress'),
    (report) => report.customerIds,
  );
}
