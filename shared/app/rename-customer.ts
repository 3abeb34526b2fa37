import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import { existingCustomer } from './read-customer.js';

/**
 * Gives a known customer the name an agent typed and answers the customer as stored. The name is
 * indexed for search as any name, and kept over the names providers' profiles give later.
 */
export async function renameCustomer(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'renameCustomer'> },
  customerId: string,
  name: string,
): Promise<Customer | undefined> {
  await existingCustomer(deps, customerId);
  await deps.store.renameCustomer(customerId, name);
  return deps.store.getCustomer(customerId);
}
