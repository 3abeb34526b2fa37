import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import type { Customer } from '#shared/domain/timeline.js';

/** Who merges which customer into which: the source's identities and timeline join the target. */
export interface MergeRequest {
  targetId: string;
  sourceId: string;
  agentId: string;
}

/** Merges one customer into another as the agent, and answers the target as it now stands. */
export async function mergeCustomers(
  deps: { store: Pick<AgentStore, 'getCustomer'>; admin: Pick<AgentAdmin, 'merge'>; clock: Clock },
  { targetId, sourceId, agentId }: MergeRequest,
): Promise<Customer | undefined> {
  await deps.admin.merge(targetId, sourceId, agentId, deps.clock.now().toISOString());
  return deps.store.getCustomer(targetId);
}
