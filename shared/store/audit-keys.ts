import type { AuditAction } from '../domain/audit.js';

/**
 * How many partitions the audit log is spread over. Records go to a shard picked from their random id,
 * so writes spread evenly and no partition takes the whole log's traffic; a page reads every shard
 * newest first and merges them (a handful of small queries, one page each). A fixed number, so a
 * reader always knows where to look; raising it means reading the old shards too.
 */
export const AUDIT_SHARDS = 8;
/**
 * What every audit item's partition key starts with, the records' and their index entries': the
 * functions' roles are denied changing or deleting any item under it (stacks/constructs/threadline-function.ts).
 */
export const AUDIT_KEY_PREFIX = 'AUDIT#';
/** Partition of one shard of the audit log. */
export const auditPartition = (shard: number): string => `${AUDIT_KEY_PREFIX}${shard}`;
/** Sort key of a record, in the log and in every index entry of it alike (so one cursor serves all). */
export const auditSortKey = (at: string, auditId: string): string => `${at}#${auditId}`;

/**
 * Partition of the index entries of the records naming a customer: one, as a customer's audited calls
 * are a handful. Under `AUDIT#`, outside the customer's own partition, so their erasure keeps it as it
 * keeps the log (ids only).
 */
export const auditOfCustomerPartition = (customerId: string): string =>
  `${AUDIT_KEY_PREFIX}CUSTOMER#${customerId}`;
/**
 * Partition of one shard of the index entries of an agent's calls: the record's own shard, so a script
 * calling as one agent spreads as the log does. The shard comes first, so no agent id can pose as another's.
 */
export const auditByAgentPartition = (shard: number, agentId: string): string =>
  `${AUDIT_KEY_PREFIX}AGENT#${shard}#${agentId}`;
/**
 * Partition of one shard of the index entries of the records acting on an agent (`subjectAgentId`: a
 * removal, a restore), in the record's shard as the agent's own calls are.
 */
export const auditOfSubjectPartition = (shard: number, agentId: string): string =>
  `${AUDIT_KEY_PREFIX}SUBJECT#${shard}#${agentId}`;
/** Partition of one shard of the index entries of an action's records (the record's shard). */
export const auditByActionPartition = (shard: number, action: AuditAction): string =>
  `${AUDIT_KEY_PREFIX}ACTION#${shard}#${action}`;
