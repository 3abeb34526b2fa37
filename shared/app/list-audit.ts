import type { AuditLog, AuditRecord } from '#shared/domain/audit.js';
import type { Page } from '#shared/domain/paging.js';

/** The audit log, newest first, a page at a time. */
export function listAudit(
  deps: { audit: Pick<AuditLog, 'listAudit'> },
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<AuditRecord>> {
  return deps.audit.listAudit(page);
}
