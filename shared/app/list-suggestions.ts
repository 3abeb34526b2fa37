import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Suggestion } from '#shared/domain/suggestions.js';

/** Every merge suggestion of a customer, with its evidence, whatever its status. */
export function listSuggestions(
  deps: { store: Pick<AgentStore, 'suggestions'> },
  customerId: string,
): Promise<Suggestion[]> {
  return deps.store.suggestions(customerId);
}
