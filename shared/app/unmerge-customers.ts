import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import { type AuditDeps, audited } from './audited.js';
import type { MergeRequest } from './merge-customers.js';

/** Undoes a merge as an admin, writes the audit record, and answers the target as it now stands. */
export async function unmergeCustomers(
  deps: { store: Pick<AgentStore, 'getCustomer'>; admin: Pick<AgentAdmin, 'unmerge'> } & AuditDeps,
  { targetId, sourceId, agentId }: MergeRequest,
): Promise<Customer | undefined> {
  await audited(deps, { agentId, action: 'unmerge', customerIds: [targetId, sourceId] }, () =>
    deps.admin.unmerge(targetId, sourceId, agentId, deps.clock.now().toISOString()),
  );
  return deps.store.getCustomer(targetId);
}
