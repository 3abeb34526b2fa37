import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import { existingCustomer } from './read-customer.js';

/**
 * Adds and removes some of a known customer's tags and answers the customer as stored: an agent sends
 * only what they changed, so another agent's change made meanwhile stays. A tag both added and removed
 * is added (the removal is dropped).
 */
export async function changeTags(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'changeTags'> },
  customerId: string,
  change: { add: readonly string[]; remove: readonly string[] },
): Promise<Customer | undefined> {
  await existingCustomer(deps, customerId);
  const add = [...new Set(change.add)];
  const remove = [...new Set(change.remove)].filter((t) => !add.includes(t));
  await deps.store.changeTags(customerId, { add, remove });
  return deps.store.getCustomer(customerId);
}
