import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import { type AuditDeps, audited } from './audited.js';

/** Who merges which customer into which: the source's identities and timeline join the target. */
export interface MergeRequest {
  targetId: string;
  sourceId: string;
  agentId: string;
}

/** Merges one customer into another as an admin, writes the audit record, and answers the target. */
export async function mergeCustomers(
  deps: { store: Pick<AgentStore, 'getCustomer'>; admin: Pick<AgentAdmin, 'merge'> } & AuditDeps,
  { targetId, sourceId, agentId }: MergeRequest,
): Promise<Customer | undefined> {
  await audited(deps, { agentId, action: 'merge', customerIds: [targetId, sourceId] }, () =>
    deps.admin.merge(targetId, sourceId, agentId, deps.clock.now().toISOString()),
  );
  return deps.store.getCustomer(targetId);
}
