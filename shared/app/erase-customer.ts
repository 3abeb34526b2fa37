import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import type { ErasureReport } from '#shared/domain/privacy.js';

/** Erases a customer and everyone merged with them (the right to erasure); answers the audit report. */
export function eraseCustomer(
  deps: { admin: Pick<AgentAdmin, 'erase'>; clock: Clock },
  customerId: string,
  agentId: string,
): Promise<ErasureReport> {
  return deps.admin.erase(customerId, agentId, deps.clock.now().toISOString());
}
