import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { MergeRequest } from './merge-customers.js';

/** Undoes a merge as the agent, and answers the target as it now stands. */
export async function unmergeCustomers(
  deps: { store: Pick<AgentStore, 'getCustomer'>; admin: Pick<AgentAdmin, 'unmerge'>; clock: Clock },
  { targetId, sourceId, agentId }: MergeRequest,
): Promise<Customer | undefined> {
  await deps.admin.unmerge(targetId, sourceId, agentId, deps.clock.now().toISOString());
  return deps.store.getCustomer(targetId);
}
