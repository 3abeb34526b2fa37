import { AuditRecordSchema } from '../domain/audit.js';
import { ValidationError } from '../errors.js';
import { AUDIT_SHARDS, auditPartition } from './audit-keys.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type DynamoDb, putItem, queryItems } from './dynamo-client.js';
import { auditIndexPartitions, putAuditIndexInput } from './params/audit.js';

/** What a run of `index-audit-log` did, and where the next run starts (absent: the log is done). */
export type AuditIndexBackfill = { indexed: number; pages: number; cursor?: string | undefined };

/** Where a run is: the shard it reads, and the sort key it read last there (none: from the shard's start). */
type Place = { shard: number; after?: string };

/** The place a `--from` cursor names; one this command did not print is a ValidationError. */
function placeOf(from: string | undefined): Place {
  const place = decodeCursor(from);
  if (place === undefined) return { shard: 0 };
  const { shard, after } = place;
  if (typeof shard !== 'number' || !Number.isInteger(shard) || shard < 0 || shard >= AUDIT_SHARDS) {
    throw new ValidationError('--from is not a cursor this command printed');
  }
  return typeof after === 'string' ? { shard, after } : { shard };
}

/**
 * The upgrade's one-off backfill for the audit log's filters: records written before them have no index
 * entries, so a filter by customer, agent or action misses them. Reads the log itself (its AUDIT_SHARDS
 * partitions, one after the other, `limit` records a page, at most `pages` pages from `from`; never the
 * rest of the table) and writes each record's entries. Idempotent (the same items every time) and
 * resumable from the cursor it answers.
 */
export async function indexAuditLog(
  db: DynamoDb,
  _scan: unknown,
  options: { from?: string | undefined; limit: number; pages?: number | undefined },
): Promise<AuditIndexBackfill> {
  const done: AuditIndexBackfill = { indexed: 0, pages: 0 };
  let place: Place | undefined = placeOf(options.from);
  while (place && (options.pages === undefined || done.pages < options.pages)) {
    const { shard, after }: Place = place;
    const out = await queryItems(db, {
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': auditPartition(shard) },
      Limit: options.limit,
      ...(after ? { ExclusiveStartKey: { pk: auditPartition(shard), sk: after } } : {}),
    });
    for (const item of out.Items ?? []) {
      const record = AuditRecordSchema.parse(item);
      await Promise.all(
        auditIndexPartitions(record).map((partition) =>
          putItem(db, putAuditIndexInput(db.table, partition, record)),
        ),
      );
      done.indexed += 1;
    }
    done.pages += 1;
    const last = out.LastEvaluatedKey?.sk;
    place =
      typeof last === 'string'
        ? { shard, after: last }
        : shard + 1 < AUDIT_SHARDS
          ? { shard: shard + 1 }
          : undefined;
  }
  return { ...done, cursor: place ? (encodeCursor(place) ?? undefined) : undefined };
}
