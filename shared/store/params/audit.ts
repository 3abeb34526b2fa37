import type { PutCommandInput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditFilter, AuditRecord } from '../../domain/audit.js';
import {
  AUDIT_SHARDS,
  auditByActionPartition,
  auditByAgentPartition,
  auditOfCustomerPartition,
  auditOfSubjectPartition,
  auditPartition,
  auditSortKey,
} from '../audit-keys.js';
import { Keys } from '../keys.js';

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

/**
 * The partitions of a record's index entries: one per customer it names, its agent's, its action's and
 * the agent's it acted on, when it names one (in the record's shard). Each entry is a copy of the record, so a filtered page reads nothing else.
 */
export function auditIndexPartitions(record: AuditRecord): string[] {
  const shard = auditShard(record.id);
  return [
    ...[...new Set(record.customerIds)].map(auditOfCustomerPartition),
    auditByAgentPartition(shard, record.agentId),
    auditByActionPartition(shard, record.action),
    ...(record.subjectAgentId ? [auditOfSubjectPartition(shard, record.subjectAgentId)] : []),
  ];
}

/**
 * Writes one index entry of a record: the record under another partition, same sort key. Unconditional:
 * the record never changes, so writing it again (a retry, the backfill) writes the same item.
 */
export function putAuditIndexInput(table: string, partition: string, record: AuditRecord): PutCommandInput {
  return {
    TableName: table,
    Item: { pk: partition, sk: auditSortKey(record.at, record.id), entity: 'audit_index', ...record },
  };
}

/**
 * Where a filtered page is read: the narrowest index the filter names (a customer's, else the agent
 * acted on's, else an agent's, else an action's, else the log itself), its shards, and what is left to filter of what it reads.
 */
export function auditIndexOf(filter: AuditFilter): {
  shards: number;
  partition: (shard: number) => string;
  rest: Pick<AuditFilter, 'agentId' | 'action' | 'subjectAgentId'>;
  /** Whether it reads the log itself (no index): its items are the records. */
  isLog: boolean;
} {
  const { customerId, agentId, action, subjectAgentId } = filter;
  if (customerId !== undefined)
    return {
      shards: 1,
      partition: () => auditOfCustomerPartition(customerId),
      rest: { agentId, action, subjectAgentId },
      isLog: false,
    };
  if (subjectAgentId !== undefined)
    return {
      shards: AUDIT_SHARDS,
      partition: (s) => auditOfSubjectPartition(s, subjectAgentId),
      rest: { agentId, action },
      isLog: false,
    };
  if (agentId !== undefined)
    return {
      shards: AUDIT_SHARDS,
      partition: (s) => auditByAgentPartition(s, agentId),
      rest: { action },
      isLog: false,
    };
  if (action !== undefined)
    return {
      shards: AUDIT_SHARDS,
      partition: (s) => auditByActionPartition(s, action),
      rest: {},
      isLog: false,
    };
  return { shards: AUDIT_SHARDS, partition: auditPartition, rest: {}, isLog: true };
}

/**
 * The greatest sort key below `sortKey` among the log's (`<at>#<id>`: printable ASCII below `~`): its last
 * character one lower, then `~`. A query may name only one range of the sort key; this makes "at or after
 * `since` and before the cursor" one BETWEEN.
 */
export function justBelow(sortKey: string): string {
  const last = sortKey.charCodeAt(sortKey.length - 1);
  return `${sortKey.slice(0, -1)}${String.fromCharCode(last - 1)}~`;
}

/**
 * The sort-key condition of a page: before the cursor and `until`, at or after `since`. A sort key
 * `<at>#<id>` is below a time exactly when `at` is, and never equals one, so `until` bounds either way.
 */
function sortKeyRange(page: {
  before?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}): { condition: string; values: Record<string, string> } {
  const { before, since, until } = page;
  if (since === undefined) {
    const high = before !== undefined && until !== undefined && until < before ? until : (before ?? until);
    return high === undefined
      ? { condition: '', values: {} }
      : { condition: ' AND sk < :high', values: { ':high': high } };
  }
  const below =
    before === undefined ? until : until !== undefined && until < before ? until : justBelow(before);
  if (below === undefined) return { condition: ' AND sk >= :since', values: { ':since': since } };
  // A cursor older than `since` (made by another query) reads nothing: BETWEEN since AND since holds no key.
  const high = below < since ? since : below;
  return { condition: ' AND sk BETWEEN :since AND :high', values: { ':since': since, ':high': high } };
}

/**
 * One partition's records (of the log or an index) in the window and older than `before` (a sort key),
 * newest first, at most `limit` read; those of another agent or action than asked filtered out.
 */
export function queryAuditInput(
  table: string,
  partition: string,
  page: {
    limit: number;
    before?: string | undefined;
    since?: string | undefined;
    until?: string | undefined;
  } & Pick<AuditFilter, 'agentId' | 'action' | 'subjectAgentId'>,
): QueryCommandInput {
  const range = sortKeyRange(page);
  const filters = [
    ...(page.agentId === undefined ? [] : ['agentId = :agentId']),
    ...(page.subjectAgentId === undefined ? [] : ['subjectAgentId = :subject']),
    ...(page.action === undefined ? [] : ['#action = :action']),
  ];
  return {
    TableName: table,
    KeyConditionExpression: `pk = :pk${range.condition}`,
    ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
    ...(page.action === undefined ? {} : { ExpressionAttributeNames: { '#action': 'action' } }),
    ExpressionAttributeValues: {
      ':pk': partition,
      ...range.values,
      ...(page.agentId === undefined ? {} : { ':agentId': page.agentId }),
      ...(page.subjectAgentId === undefined ? {} : { ':subject': page.subjectAgentId }),
      ...(page.action === undefined ? {} : { ':action': page.action }),
    },
    ScanIndexForward: false,
    Limit: page.limit,
  };
}
