import { describe, expect, it } from 'vitest';
import { AUDIT_SHARDS } from '#shared/store/keys.js';
import { auditShard, putAuditInput, queryAuditInput } from '#shared/store/params/audit.js';

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
    expect(queryAuditInput('t', 3, 50, '2025-06-10T09:00:00.000Z#au_1')).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND sk < :before',
      ExpressionAttributeValues: { ':pk': 'AUDIT#3', ':before': '2025-06-10T09:00:00.000Z#au_1' },
      ScanIndexForward: false,
      Limit: 50,
    });
    expect(queryAuditInput('t', 0, 10).KeyConditionExpression).toBe('pk = :pk');
  });
});
