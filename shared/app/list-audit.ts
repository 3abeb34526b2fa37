import type { AuditLog, AuditQuery, AuditRecord } from '#shared/domain/audit.js';
import type { PageCursors } from '#shared/domain/page-cursor.js';
import type { Page } from '#shared/domain/paging.js';
import { ValidationError } from '#shared/errors.js';

/** A time of the window in the form records keep theirs (`toISOString`), so the two compare as strings. */
const utc = (time: string | undefined): string | undefined =>
  time === undefined ? undefined : new Date(time).toISOString();

/**
 * The audit log, newest first, a page at a time, narrowed by the query's filter: a window whose `since`
 * is not before its `until` is a ValidationError (it could hold nothing).
 */
export async function listAudit(
  deps: { audit: Pick<AuditLog, 'listAudit'>; cursors: PageCursors },
  query: AuditQuery,
): Promise<Page<AuditRecord>> {
  const since = utc(query.since);
  const until = utc(query.until);
  if (since !== undefined && until !== undefined && since >= until) {
    throw new ValidationError('since must be before until');
  }
  const { customerId, agentId, subjectAgentId, action } = query;
  const scope = ['audit', customerId, agentId, subjectAgentId, action, since, until] as const;
  const cursor = deps.cursors.open(query.cursor, scope);
  const page = await deps.audit.listAudit({ ...query, since, until, cursor });
  return { items: page.items, cursor: deps.cursors.seal(page.cursor, scope) };
}
