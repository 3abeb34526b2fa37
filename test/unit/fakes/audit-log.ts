import { type AuditLog, type AuditRecord, auditMatches } from '#shared/domain/audit.js';

/** An in-memory audit log: records kept in order, listed newest first (filtered), the cursor the last id listed. */
export function memoryAuditLog(): AuditLog & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return {
    records,
    recordAudit: async (entry) => {
      const record = { id: `au_${records.length + 1}`, ...entry };
      records.push(record);
      return record;
    },
    listAudit: async ({ limit, cursor, ...filter }) => {
      const newest = [...records].reverse().filter((record) => auditMatches(record, filter));
      // The cursor is the last record's id, as the log's is its place (a newer record shifts nothing).
      const start = cursor ? newest.findIndex((record) => record.id === cursor) + 1 : 0;
      const items = newest.slice(start, start + limit);
      return { items, cursor: start + limit < newest.length ? String(items.at(-1)?.id) : null };
    },
  };
}
