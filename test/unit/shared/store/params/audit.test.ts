import { describe, expect, it } from 'vitest';
import { AUDIT_SHARDS } from '#shared/store/keys.js';
import {
  auditIndexOf,
  auditIndexPartitions,
  auditShard,
  justBelow,
  putAuditIndexInput,
  putAuditInput,
  queryAuditInput,
} from '#shared/store/params/audit.js';

const record = {
  id: 'au_0001abcdef0123456789',
  at: '2025-06-10T09:00:00.000Z',
  agentId: 'zoe',
  action: 'erase' as const,
  customerIds: ['cu_1'],
  outcome: 'ok',
};

describe('audit params', () => {
  it('writes a record once, in the shard its id picks, sorted by time', () => {
    const shard = auditShard(record.id);
    expect(putAuditInput('t', record)).toEqual({
      TableName: 't',
      Item: { pk: `AUDIT#${shard}`, sk: `${record.at}#${record.id}`, entity: 'audit', ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('spreads records over every shard', () => {
    const shards = new Set(Array.from({ length: 400 }, (_, i) => auditShard(`au_x${i.toString(16)}`)));
    expect([...shards].sort()).toEqual(Array.from({ length: AUDIT_SHARDS }, (_, i) => i));
  });

  it("reads a shard's records older than the cursor, newest first", () => {
    expect(queryAuditInput('t', 'AUDIT#3', { limit: 50, before: '2025-06-10T09:00:00.000Z#au_1' })).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND sk < :high',
      ExpressionAttributeValues: { ':pk': 'AUDIT#3', ':high': '2025-06-10T09:00:00.000Z#au_1' },
      ScanIndexForward: false,
      Limit: 50,
    });
    expect(queryAuditInput('t', 'AUDIT#0', { limit: 10 }).KeyConditionExpression).toBe('pk = :pk');
  });

  it('writes an index entry for each customer named (once each), the agent and the action, in the shard of the record', () => {
    const shard = auditShard(record.id);
    const merge = { ...record, action: 'merge' as const, customerIds: ['cu_1', 'cu_2', 'cu_1'] };
    expect(auditIndexPartitions(merge)).toEqual([
      'AUDIT#CUSTOMER#cu_1',
      'AUDIT#CUSTOMER#cu_2',
      `AUDIT#AGENT#${shard}#zoe`,
      `AUDIT#ACTION#${shard}#merge`,
    ]);
    expect(auditIndexPartitions({ ...record, customerIds: [] })).toHaveLength(2);
    expect(putAuditIndexInput('t', 'AUDIT#CUSTOMER#cu_1', record)).toEqual({
      TableName: 't',
      Item: { pk: 'AUDIT#CUSTOMER#cu_1', sk: `${record.at}#${record.id}`, entity: 'audit_index', ...record },
    });
  });

  it.each([
    [
      'customer first',
      { customerId: 'cu_1', agentId: 'zoe', action: 'erase' as const },
      1,
      'AUDIT#CUSTOMER#cu_1',
      { agentId: 'zoe', action: 'erase' },
    ],
    [
      'then agent',
      { agentId: 'zoe', action: 'erase' as const },
      AUDIT_SHARDS,
      'AUDIT#AGENT#5#zoe',
      { action: 'erase' },
    ],
    ['then action', { action: 'erase' as const }, AUDIT_SHARDS, 'AUDIT#ACTION#5#erase', {}],
    ['else the log', { since: '2025-06-10T09:00:00.000Z' }, AUDIT_SHARDS, 'AUDIT#5', {}],
  ])('reads the narrowest index a filter names: %s', (_name, filter, shards, partition, rest) => {
    const index = auditIndexOf(filter);
    expect([index.shards, index.partition(5), index.rest]).toEqual([shards, partition, rest]);
    // Only the log's own items are records; an index's entries are checked against theirs.
    expect(index.isLog).toBe(partition === 'AUDIT#5');
  });

  const SINCE = '2025-06-01T00:00:00.000Z';
  const UNTIL = '2025-06-08T00:00:00.000Z';
  const CURSOR = '2025-06-05T10:00:00.000Z#au_0005abc';
  it.each([
    ['since', { since: SINCE }, 'sk >= :since', { ':since': SINCE }],
    ['until', { until: UNTIL }, 'sk < :high', { ':high': UNTIL }],
    ['until and an older cursor', { until: UNTIL, before: CURSOR }, 'sk < :high', { ':high': CURSOR }],
    [
      'a cursor older than until',
      { until: '2025-06-05T00:00:00.000Z', before: CURSOR },
      'sk < :high',
      { ':high': '2025-06-05T00:00:00.000Z' },
    ],
    [
      'since and until',
      { since: SINCE, until: UNTIL },
      'sk BETWEEN :since AND :high',
      { ':since': SINCE, ':high': UNTIL },
    ],
    [
      'since and a cursor',
      { since: SINCE, before: CURSOR },
      'sk BETWEEN :since AND :high',
      { ':since': SINCE, ':high': '2025-06-05T10:00:00.000Z#au_0005abb~' },
    ],
    [
      'a cursor older than since',
      { since: UNTIL, before: CURSOR },
      'sk BETWEEN :since AND :high',
      { ':since': UNTIL, ':high': UNTIL },
    ],
  ])('bounds the sort key by the window and the cursor: %s', (_name, page, condition, values) => {
    const input = queryAuditInput('t', 'AUDIT#1', { limit: 10, ...page });
    expect(input.KeyConditionExpression).toBe(`pk = :pk AND ${condition}`);
    expect(input.ExpressionAttributeValues).toEqual({ ':pk': 'AUDIT#1', ...values });
  });

  it('takes a key just below the cursor as the last one a window with `since` reads', () => {
    const cursor = '2025-06-05T10:00:00.000Z#au_0005abc';
    const below = justBelow(cursor);
    expect(below < cursor).toBe(true);
    for (const key of [
      '2025-06-05T10:00:00.000Z#au_0005abb',
      '2025-06-05T10:00:00.000Z#au_0005abbzz',
      '2025-06-05T09:59:59.999Z#au_zzzz',
    ])
      expect(key <= below).toBe(true);
  });

  it('filters what the index does not key: the agent, the action', () => {
    const input = queryAuditInput('t', 'AUDIT#CUSTOMER#cu_1', {
      limit: 10,
      agentId: 'zoe',
      action: 'export',
    });
    expect(input).toMatchObject({
      FilterExpression: 'agentId = :agentId AND #action = :action',
      ExpressionAttributeNames: { '#action': 'action' },
      ExpressionAttributeValues: { ':pk': 'AUDIT#CUSTOMER#cu_1', ':agentId': 'zoe', ':action': 'export' },
    });
  });
});
