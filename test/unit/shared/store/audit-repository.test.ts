import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import { auditRepository } from '#shared/store/audit-repository.js';
import { encodeCursor } from '#shared/store/cursor.js';
import { AUDIT_SHARDS } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const item = (shard: number, minute: number) => {
  const at = `2025-06-10T09:${String(minute).padStart(2, '0')}:00.000Z`;
  const id = `au_${minute}`;
  return {
    pk: `AUDIT#${shard}`,
    sk: `${at}#${id}`,
    entity: 'audit',
    id,
    at,
    agentId: 'zoe',
    action: 'erase',
    customerIds: ['cu_1'],
    outcome: 'ok',
  };
};

describe('auditRepository', () => {
  beforeEach(() => ddb.reset());

  it('writes a record with a new id, no keys or message text in it', async () => {
    ddb.on(PutCommand).resolves({});
    const record = await auditRepository(db).recordAudit({
      at: '2025-06-10T09:00:00.000Z',
      agentId: 'zoe',
      action: 'merge',
      customerIds: ['cu_1', 'cu_2'],
      outcome: 'ok',
    });
    expect(record.id).toMatch(/^au_/);
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item).toMatchObject({ ...record, entity: 'audit' });
    expect(String(put?.Item?.pk)).toMatch(/^AUDIT#[0-7]$/);
  });

  it('merges every shard newest first, and continues before the last record answered', async () => {
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
      const shard = Number(input.ExpressionAttributeValues[':pk']?.slice('AUDIT#'.length));
      const items = [item(shard, 50 - shard), item(shard, 40 - shard)];
      const before = input.ExpressionAttributeValues[':before'];
      return { Items: items.filter((i) => !before || i.sk < before) };
    });
    const repo = auditRepository(db);
    const first = await repo.listAudit({ limit: 3 });
    expect(first.items.map((r) => r.id)).toEqual(['au_50', 'au_49', 'au_48']);
    expect(first.items[0]).not.toHaveProperty('pk');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(AUDIT_SHARDS);
    const second = await repo.listAudit({ limit: 20, cursor: first.cursor ?? undefined });
    expect(second.items.map((r) => r.id)).toEqual([
      'au_47',
      'au_46',
      'au_45',
      'au_44',
      'au_43',
      'au_40',
      'au_39',
      'au_38',
      'au_37',
      'au_36',
      'au_35',
      'au_34',
      'au_33',
    ]);
    expect(second.cursor).toBeNull();
  });

  it('refuses a cursor it did not make', async () => {
    await expect(
      auditRepository(db).listAudit({ limit: 3, cursor: encodeCursor({ x: 1 }) ?? '' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
