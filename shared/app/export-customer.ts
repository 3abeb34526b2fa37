import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import type { CustomerExport } from '#shared/domain/privacy.js';
import { type AuditDeps, audited } from './audited.js';

/**
 * Everything held about a customer (the right of access), stamped with when it was taken, for an
 * admin; writes the audit record.
 */
export function exportCustomer(
  deps: { admin: Pick<AgentAdmin, 'export'> } & AuditDeps,
  customerId: string,
  agentId: string,
): Promise<CustomerExport> {
  return audited(deps, { agentId, action: 'export', customerIds: [customerId] }, () =>
    deps.admin.export(customerId, deps.clock.now().toISOString()),
  );
}
