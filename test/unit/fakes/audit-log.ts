import type { AuditLog, AuditRecord } from '#shared/domain/audit.js';

/** An in-memory audit log: records kept in order, listed newest first with an index cursor. */
export function memoryAuditLog(): AuditLog & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return {
    records,
    recordAudit: async (entry) => {
      const record = { id: `au_${records.length + 1}`, ...entry };
      records.push(record);
      return record;
    },
    listAudit: async ({ limit, cursor }) => {
      const newest = [...records].reverse();
      const start = cursor ? Number(cursor) : 0;
      const items = newest.slice(start, start + limit);
      return { items, cursor: start + limit < newest.length ? String(start + limit) : null };
    },
  };
}
