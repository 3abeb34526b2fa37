import type { AuditLog, AuditRecord } from '../domain/audit.js';
import { ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type DynamoDb, putItem, queryItems } from './dynamo-client.js';
import { timeOrderedId } from './ids.js';
import { AUDIT_SHARDS } from './keys.js';
import { putAuditInput, queryAuditInput } from './params/audit.js';

/** The record as stored, without its keys. */
function toRecord(item: Record<string, unknown>): AuditRecord {
  const { id, at, agentId, action, customerIds, outcome } = item as AuditRecord;
  return { id, at, agentId, action, customerIds, outcome };
}

/** The sort key a cursor continues before; a cursor we did not make is a ValidationError. */
function before(cursor: string | undefined): string | undefined {
  const decoded = decodeCursor(cursor);
  if (decoded === undefined) return undefined;
  if (typeof decoded.before !== 'string') throw new ValidationError('invalid cursor');
  return decoded.before;
}

/**
 * The audit log over the table, spread over AUDIT_SHARDS partitions: a write goes to one shard; a page
 * asks every shard for its newest `limit` records older than the cursor, merges them newest first and
 * keeps `limit`. The cursor is the sort key (`<at>#<id>`) of the last record answered.
 */
export function auditRepository(db: DynamoDb): AuditLog {
  return {
    async recordAudit(entry) {
      const record: AuditRecord = { id: timeOrderedId('au', Date.parse(entry.at)), ...entry };
      await putItem(db, putAuditInput(db.table, record));
      return record;
    },
    async listAudit({ limit, cursor }) {
      const after = before(cursor);
      const shards = Array.from({ length: AUDIT_SHARDS }, (_, shard) => shard);
      const pages = await Promise.all(
        shards.map((shard) => queryItems(db, queryAuditInput(db.table, shard, limit, after))),
      );
      const found = pages
        .flatMap((page) => page.Items ?? [])
        .sort((a, b) => (String(a.sk) < String(b.sk) ? 1 : String(a.sk) > String(b.sk) ? -1 : 0));
      const items = found.slice(0, limit);
      const more = found.length > limit || pages.some((page) => page.LastEvaluatedKey !== undefined);
      const last = items.at(-1);
      return {
        items: items.map(toRecord),
        cursor: more && last ? encodeCursor({ before: String(last.sk) }) : null,
      };
    },
  };
}
