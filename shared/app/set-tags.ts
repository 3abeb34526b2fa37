import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import { existingCustomer } from './read-customer.js';

/** Replaces a known customer's tags (each once) and answers the customer as stored. */
export async function setTags(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'setTags'> },
  customerId: string,
  tags: readonly string[],
): Promise<Customer | undefined> {
  await existingCustomer(deps, customerId);
  await deps.store.setTags(customerId, [...new Set(tags)]);
  return deps.store.getCustomer(customerId);
}
