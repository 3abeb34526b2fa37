import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import { NotFoundError } from '#shared/errors.js';
import { type MergeDeps, mergeCustomers } from './merge-customers.js';

/**
 * Accepts a merge suggestion as an admin: merges the suggested customer in (audited as a merge); no such
 * suggestion is a NotFoundError.
 */
export async function acceptSuggestion(
  deps: MergeDeps & { store: Pick<AgentStore, 'getCustomer' | 'suggestions'> },
  { customerId, otherId, agentId }: { customerId: string; otherId: string; agentId: string },
): Promise<Customer | undefined> {
  const suggestion = (await deps.store.suggestions(customerId)).find((s) => s.otherId === otherId);
  if (!suggestion) throw new NotFoundError(`no suggestion between ${customerId} and ${otherId}`);
  return mergeCustomers(deps, { targetId: customerId, sourceId: otherId, agentId });
}
