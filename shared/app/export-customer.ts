import { randomBytes } from 'node:crypto';
import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import {
  type CustomerExport,
  type ExportStore,
  newExportId,
  type StoredExport,
} from '#shared/domain/privacy.js';
import { type AuditDeps, audited } from './audited.js';

/** Largest export answered in the response itself (5 MiB), under what API Gateway and Lambda return. */
export const DEFAULT_EXPORT_INLINE_BYTES = 5 * 1024 * 1024;

/** How long the URL of an export written aside works. */
const EXPORT_LINK_MS = 15 * 60 * 1000;

/** What an export answers: the data itself, or where it was written. */
export type ExportResult = { inline: CustomerExport } | { stored: StoredExport };

/** The customers an export holds: the one asked for first, then the others of their merged group. */
function customersOf(data: CustomerExport, customerId: string): string[] {
  const ids = data.customers.map((profile) => profile.id).filter((id) => typeof id === 'string');
  return [customerId, ...new Set(ids.filter((id) => id !== customerId))];
}

/**
 * Everything held about a customer (the right of access), stamped with when it was taken, for an
 * admin; writes the audit record, naming every customer of the merged group it holds (each is a
 * person whose data was handed over, whatever an unmerge later decides). An export over `exportInlineBytes` is written to `exports` and
 * answered by its URL (valid 15 minutes), so a heavy customer's export is complete, not cut short.
 */
export async function exportCustomer(
  deps: {
    admin: Pick<AgentAdmin, 'export'>;
    exports?: Pick<ExportStore, 'save'> | undefined;
    exportInlineBytes?: number | undefined;
  } & AuditDeps,
  customerId: string,
  agentId: string,
): Promise<ExportResult> {
  const done = await audited(
    deps,
    { agentId, action: 'export', customerIds: [customerId] },
    async (): Promise<{ result: ExportResult; customerIds: string[] }> => {
      const now = deps.clock.now();
      const data = await deps.admin.export(customerId, now.toISOString());
      const customerIds = customersOf(data, customerId);
      const body = JSON.stringify(data);
      const bytes = new TextEncoder().encode(body).length;
      if (!deps.exports || bytes <= (deps.exportInlineBytes ?? DEFAULT_EXPORT_INLINE_BYTES)) {
        return { result: { inline: data }, customerIds };
      }
      const expiresAt = new Date(now.getTime() + EXPORT_LINK_MS).toISOString();
      const exportId = newExportId(customerId, randomBytes(8).toString('hex'));
      const { url } = await deps.exports.save(exportId, body, expiresAt, customerIds.slice(1));
      return { result: { stored: { status: 'ready', url, expiresAt, bytes } }, customerIds };
    },
    ({ result }) => ('stored' in result ? 'stored' : 'ok'),
    ({ customerIds }) => customerIds,
  );
  return done.result;
}
