import type { PutCommandInput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditRecord } from '../../domain/audit.js';
import { AUDIT_SHARDS, auditPartition, Keys } from '../keys.js';

/** The shard of an audit record: from the random tail of its id, so records spread evenly. */
export function auditShard(auditId: string): number {
  let hash = 0;
  for (const char of auditId.slice(-8)) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % AUDIT_SHARDS;
}

/** Writes one audit record, once: an id is never reused. */
export function putAuditInput(table: string, record: AuditRecord): PutCommandInput {
  return {
    TableName: table,
    Item: { ...Keys.audit(auditShard(record.id), record.at, record.id), entity: 'audit', ...record },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** One shard's records older than `before` (a sort key), newest first, at most `limit`. */
export function queryAuditInput(
  table: string,
  shard: number,
  limit: number,
  before?: string,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: before ? 'pk = :pk AND sk < :before' : 'pk = :pk',
    ExpressionAttributeValues: { ':pk': auditPartition(shard), ...(before ? { ':before': before } : {}) },
    ScanIndexForward: false,
    Limit: limit,
  };
}
