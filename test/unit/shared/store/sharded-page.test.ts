import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor } from '#shared/store/cursor.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { shardedPage } from '#shared/store/sharded-page.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const at = (minute: number) => `2025-06-10T09:${String(minute).padStart(2, '0')}:00.000Z#d${minute}`;
const query = (shard: number) => ({ TableName: 'threadline', KeyConditionExpression: `pk = :pk${shard}` });

describe('shardedPage over a filtered query', () => {
  beforeEach(() => ddb.reset());

  it('answers only what every shard has read down to, and a cursor from there, so nothing is skipped', async () => {
    // Shard 0 read down to minute 50 and matched nothing; shard 1 is read out and matched minutes 40 and 55.
    ddb
      .on(QueryCommand, { KeyConditionExpression: 'pk = :pk0' })
      .resolves({ Items: [], LastEvaluatedKey: { pk: 'P#0', sk: at(50) } })
      .on(QueryCommand, { KeyConditionExpression: 'pk = :pk1' })
      .resolves({ Items: [{ sk: at(55) }, { sk: at(40) }] });
    const page = await shardedPage(db, 2, { limit: 5 }, query);
    expect(page.items).toEqual([{ sk: at(55) }]);
    expect(decodeCursor(page.cursor ?? undefined)).toEqual({ before: at(50) });
  });

  it('answers an empty page with a cursor when no shard matched yet but some have more to read', async () => {
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: { pk: 'P', sk: at(30) } });
    const page = await shardedPage(db, 2, { limit: 5 }, query);
    expect(page.items).toEqual([]);
    expect(decodeCursor(page.cursor ?? undefined)).toEqual({ before: at(30) });
  });

  it('answers no cursor once every shard is read out', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ sk: at(10) }] });
    expect((await shardedPage(db, 2, { limit: 5 }, query)).cursor).toBeNull();
  });
});
