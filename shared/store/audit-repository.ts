import type { AuditLog, AuditRecord } from '../domain/audit.js';
import { type DynamoDb, putItem } from './dynamo-client.js';
import { timeOrderedId } from './ids.js';
import { AUDIT_SHARDS } from './keys.js';
import { putAuditInput, queryAuditInput } from './params/audit.js';
import { shardedPage } from './sharded-page.js';

/** What a record may name besides its customers, kept only when set. */
const TARGET_FIELDS = ['webhookId', 'webhookOrigin', 'deliveryId', 'subjectAgentId'] as const;

/** The record as stored, without its keys. */
function toRecord(item: Record<string, unknown>): AuditRecord {
  const { id, at, agentId, action, customerIds, outcome } = item as AuditRecord;
  const targets = TARGET_FIELDS.filter((field) => item[field]).map((field) => [field, item[field]]);
  return { id, at, agentId, action, customerIds, outcome, ...Object.fromEntries(targets) };
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
    async listAudit(page) {
      const found = await shardedPage(db, AUDIT_SHARDS, page, (shard, limit, before) =>
        queryAuditInput(db.table, shard, limit, before),
      );
      return { items: found.items.map(toRecord), cursor: found.cursor };
    },
  };
}
