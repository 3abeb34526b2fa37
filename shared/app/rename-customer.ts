import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import { type AuditDeps, audited } from './audited.js';
import { existingCustomer } from './read-customer.js';

/** Who renames which customer, and the name they typed. */
export interface RenameRequest {
  customerId: string;
  name: string;
  agentId: string;
}

/**
 * Gives a known customer the name an agent typed and answers the customer as stored. The name is
 * indexed for search as any name, and kept over the names providers' profiles give later. A change of
 * a customer's data by hand, so it is audited (`rename`: who, which customer, how it ended; never the
 * name itself), a refusal (`not_found`, `gone`) too.
 */
export async function renameCustomer(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'renameCustomer'> } & AuditDeps,
  { customerId, name, agentId }: RenameRequest,
): Promise<Customer | undefined> {
  await audited(deps, { agentId, action: 'rename', customerIds: [customerId] }, async () => {
    await existingCustomer(deps, customerId);
    await deps.store.renameCustomer(customerId, name);
  });
  return deps.store.getCustomer(customerId);
}
