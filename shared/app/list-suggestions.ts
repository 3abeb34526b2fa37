import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Suggestion } from '#shared/domain/suggestions.js';
import { existingCustomer } from './read-customer.js';

/**
 * Every merge suggestion of a customer, with its evidence, whatever its status; an unknown customer is
 * a NotFoundError (and an erased one gone), as on every other customer route.
 */
export async function listSuggestions(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'suggestions'> },
  customerId: string,
): Promise<Suggestion[]> {
  await existingCustomer(deps, customerId);
  return deps.store.suggestions(customerId);
}
