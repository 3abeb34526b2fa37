import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import type { CustomerExport } from '#shared/domain/privacy.js';

/** Everything held about a customer (the right of access), stamped with when it was taken. */
export function exportCustomer(
  deps: { admin: Pick<AgentAdmin, 'export'>; clock: Clock },
  customerId: string,
): Promise<CustomerExport> {
  return deps.admin.export(customerId, deps.clock.now().toISOString());
}
