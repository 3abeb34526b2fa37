import type { AgentStore } from '#shared/domain/agent-ports.js';
import { customerOfExport, type ExportStore } from '#shared/domain/privacy.js';
import { NotFoundError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';

/**
 * An export written aside, for the admin who fetches it from its URL while it has not expired; a store
 * that hands out its own URLs (S3) is never read here. Audited like the export itself. Refused (410)
 * once the customer it names is erased or being erased: the profile read throws GoneError from the
 * first erase call on, before the erasure has deleted the export.
 */
export function readExport(
  deps: {
    exports?: Pick<ExportStore, 'read'> | undefined;
    store: Pick<AgentStore, 'getCustomer'>;
  } & AuditDeps,
  exportId: string,
  agentId: string,
): Promise<string> {
  const customerId = customerOfExport(exportId);
  return audited(
    deps,
    { agentId, action: 'export_download', customerIds: customerId ? [customerId] : [] },
    async () => {
      if (customerId) await deps.store.getCustomer(customerId);
      const body = await deps.exports?.read?.(exportId, deps.clock.now().toISOString());
      if (body === undefined) throw new NotFoundError(`no export ${exportId}, or it has expired`);
      return body;
    },
  );
}
