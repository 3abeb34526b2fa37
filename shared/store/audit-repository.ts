import { type AuditLog, type AuditQuery, type AuditRecord, auditMatches } from '../domain/audit.js';
import { getItems } from './batch-get.js';
import { type DynamoDb, putItem, putItemIf } from './dynamo-client.js';
import { timeOrderedId } from './ids.js';
import { Keys } from './keys.js';
import {
  auditIndexOf,
  auditIndexPartitions,
  auditShard,
  putAuditIndexInput,
  putAuditInput,
  queryAuditInput,
} from './params/audit.js';
import { shardedPage } from './sharded-page.js';

/** What a record may name besides its customers, kept only when set. */
const TARGET_FIELDS = [
  'webhookId',
  'webhookOrigin',
  'deliveryId',
  'subjectAgentId',
  'change',
  'query',
  'count',
  'outcomes',
] as const;

/** The record as stored, without its keys. */
function toRecord(item: Record<string, unknown>): AuditRecord {
  const { id, at, agentId, action, customerIds, outcome } = item as AuditRecord;
  const targets = TARGET_FIELDS.filter((field) => item[field] !== undefined && item[field] !== null).map(
    (field) => [field, item[field]],
  );
  return { id, at, agentId, action, customerIds, outcome, ...Object.fromEntries(targets) };
}

/**
 * The records of a page of index entries that are in the log and hold for the filter, in the entries'
 * order: one strongly consistent BatchGetItem (per 100). An entry whose record is not there (its call's
 * record write failed or had not landed yet) is left out, as is one whose record does not match.
 */
async function recordsOf(
  db: DynamoDb,
  entries: readonly AuditRecord[],
  filter: AuditQuery,
): Promise<AuditRecord[]> {
  if (entries.length === 0) return [];
  const keys = entries.map((entry) => Keys.audit(auditShard(entry.id), entry.at, entry.id));
  const found = await getItems(db, keys, { consistent: true });
  return found.map(toRecord).filter((record) => auditMatches(record, filter));
}

/**
 * The audit log over the table, spread over AUDIT_SHARDS partitions, with index entries by customer,
 * agent and action (copies of the record under `AUDIT#CUSTOMER#`, `AUDIT#AGENT#`, `AUDIT#ACTION#`). A
 * write puts the index entries first, then the record (conditional on its id being new; a retry of it
 * that meets it is done): a record in the log is found by every filter. A crash between leaves entries
 * without a record; a filtered page reads the records of the entries it found and lists those, so such
 * an entry is never listed. A page reads the narrowest index its filter names, every shard of it newest
 * first for its `limit` records older than the cursor, merged; what that index does not key (an
 * agent's or action's within a customer's records) is filtered, so such a page may be short. The cursor
 * is the sort key (`<at>#<id>`) to continue before, the same in the log and every index.
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
      // A failed condition is this record already there: a retry of the put whose answer was lost.
      await putItemIf(db, putAuditInput(db.table, record));
      return record;
    },
    async listAudit(query) {
      const index = auditIndexOf(query);
      const { since, until } = query;
      const found = await shardedPage(db, index.shards, query, (shard, limit, before) =>
        queryAuditInput(db.table, index.partition(shard), { limit, before, since, until, ...index.rest }),
      );
      const items = found.items.map(toRecord);
      return { items: index.isLog ? items : await recordsOf(db, items, query), cursor: found.cursor };
    },
  };
}
