import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import type { ErasureReport } from '#shared/domain/privacy.js';
import { type AuditDeps, audited } from './audited.js';

/**
 * Erases a customer and everyone merged with them (the right to erasure) as an admin; answers the
 * erasure report and writes the audit record (`in_progress` for a call that did part of a heavy
 * customer's erasure, `ok` for the one that finished it), naming every customer erased: the one asked
 * for first, then those merged with them, who go too.
 */
export function eraseCustomer(
  deps: { admin: Pick<AgentAdmin, 'erase'> } & AuditDeps,
  customerId: string,
  agentId: string,
): Promise<ErasureReport> {
  return audited(
    deps,
    { agentId, action: 'erase', customerIds: [customerId] },
    () => deps.admin.erase(customerId, agentId, deps.clock.now().toISOString()),
    (report) => (report.complete ? 'ok' : 'in_progress'),
    (report) => report.customerIds,
  );
}
