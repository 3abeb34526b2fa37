import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import { indexAuditLog } from '#shared/store/audit-index-backfill.js';
import { encodeCursor } from '#shared/store/cursor.js';
import { AUDIT_SHARDS } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const record = (shard: number, n: number) => ({
  pk: `AUDIT#${shard}`,
  sk: `2025-06-10T09:00:0${n}.000Z#au_${shard}${n}`,
  entity: 'audit',
  id: `au_${shard}${n}`,
  at: `2025-06-10T09:00:0${n}.000Z`,
  agentId: 'zoe',
  action: 'export',
  customerIds: ['cu_1'],
  outcome: 'ok',
});

describe('indexAuditLog (npm run index-audit-log)', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(PutCommand).resolves({});
    // Shard 2 holds two records, read one a page; the other shards none.
    ddb
      .on(QueryCommand)
      .callsFake(
        (input: { ExpressionAttributeValues: { ':pk': string }; ExclusiveStartKey?: { sk: string } }) => {
          if (input.ExpressionAttributeValues[':pk'] !== 'AUDIT#2') return { Items: [] };
          const items = [record(2, 1), record(2, 2)].filter(
            (i) => !input.ExclusiveStartKey || i.sk > input.ExclusiveStartKey.sk,
          );
          return {
            Items: items.slice(0, 1),
            ...(items.length > 1 ? { LastEvaluatedKey: { pk: 'AUDIT#2', sk: items[0]?.sk } } : {}),
          };
        },
      );
  });

  it("reads the log's shards only, and writes each record's entries: its customer's, agent's and action's", async () => {
    const done = await indexAuditLog(db, undefined, { limit: 1 });
    expect(done).toEqual({ indexed: 2, pages: AUDIT_SHARDS + 1, cursor: undefined });
    const read = ddb
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input.ExpressionAttributeValues?.[':pk']);
    expect(new Set(read)).toEqual(new Set(Array.from({ length: AUDIT_SHARDS }, (_, s) => `AUDIT#${s}`)));
    const written = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item ?? {});
    expect(written.map((i) => String(i.pk).replace(/#\d#/, '#<shard>#'))).toEqual([
      'AUDIT#CUSTOMER#cu_1',
      'AUDIT#AGENT#<shard>#zoe',
      'AUDIT#ACTION#<shard>#export',
      'AUDIT#CUSTOMER#cu_1',
      'AUDIT#AGENT#<shard>#zoe',
      'AUDIT#ACTION#<shard>#export',
    ]);
    expect(written.every((i) => i.entity === 'audit_index')).toBe(true);
  });

  it('stops after the pages asked for with a cursor, and carries on from it', async () => {
    let done = await indexAuditLog(db, undefined, { limit: 1, pages: 3 });
    expect(done.indexed).toBe(1);
    let indexed = done.indexed;
    while (done.cursor) {
      done = await indexAuditLog(db, undefined, { limit: 1, pages: 3, from: done.cursor });
      indexed += done.indexed;
    }
    expect(indexed).toBe(2);
  });

  it('refuses a cursor it did not print', async () => {
    await expect(
      indexAuditLog(db, undefined, { limit: 1, from: encodeCursor({ shard: 9 }) ?? '' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
