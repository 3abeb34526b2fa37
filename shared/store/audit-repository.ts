import type { AuditLog, AuditRecord } from '../domain/audit.js';
import { type DynamoDb, putItem } from './dynamo-client.js';
import { timeOrderedId } from './ids.js';
import {
  auditIndexOf,
  auditIndexPartitions,
  putAuditIndexInput,
  putAuditInput,
  queryAuditInput,
} from './params/audit.js';
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
 * The audit log over the table, spread over AUDIT_SHARDS partitions, with index entries by customer,
 * agent and action (copies of the record under `AUDIT#CUSTOMER#`, `AUDIT#AGENT#`, `AUDIT#ACTION#`). A
 * write puts the index entries first, then the record: a record in the log is found by every filter
 * (a crash between leaves entries of a call whose record a retry writes again, under a new id). A page
 * reads the narrowest index its filter names, every shard of it newest first for its `limit` records
 * older than the cursor, merged; what that index does not key (an agent's or action's within a
 * customer's records) is filtered, so such a page may be short. The cursor is the sort key
 * (`<at>#<id>`) to continue before, the same in the log and every index.
 */
export function auditRepository(db: DynamoDb): AuditLog {
  return {
    async recordAudit(entry) {
      const record: AuditRecord = { id: timeOrderedId('au', Date.parse(entry.at)), ...entry };
      await Promise.all(
        auditIndexPartitions(record).map((partition) =>
          putItem(db, putAuditIndexInput(db.table, partition, record)),
        ),
      );
      await putItem(db, putAuditInput(db.table, record));
      return record;
    },
    async listAudit(query) {
      const index = auditIndexOf(query);
      const { since, until } = query;
      const found = await shardedPage(db, index.shards, query, (shard, limit, before) =>
        queryAuditInput(db.table, index.partition(shard), { limit, before, since, until, ...index.rest }),
      );
      return { items: found.items.map(toRecord), cursor: found.cursor };
    },
  };
}
