import type { AgentAdmin } from '#shared/domain/agent-ports.js';

/** Dismisses a merge suggestion, so later evidence does not reopen it. */
export function dismissSuggestion(
  deps: { admin: Pick<AgentAdmin, 'dismissSuggestion'> },
  customerId: string,
  otherId: string,
): Promise<void> {
  return deps.admin.dismissSuggestion(customerId, otherId);
}
