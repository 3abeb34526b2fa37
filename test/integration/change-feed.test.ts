import { BatchWriteCommand, DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import { LocalChangeFeed } from '#shared/local/change-feed.js';
import { type LocalDynamo, startLocalDynamo } from '#shared/local/dynamo.js';
import { documentClient } from '#shared/store/sdk-documents.js';

const TABLE = 'feed-test';

describe('the local change feed', () => {
  let dynamo: LocalDynamo;
  let feed: LocalChangeFeed;
  const records: ChangeRecord[] = [];

  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tableName: TABLE });
    feed = new LocalChangeFeed(dynamo.endpoint, TABLE);
    feed.capture(dynamo.client);
    feed.subscribe(async (batch) => {
      records.push(...batch);
      return {};
    });
  });

  afterAll(async () => {
    feed.close();
    await dynamo.close();
  });

  it('records every change with the item before and after, in order, and nothing for a write that changed nothing', async () => {
    const doc = documentClient(dynamo.client);
    const key = { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' };
    await doc.send(new PutCommand({ TableName: TABLE, Item: { ...key, entity: 'customer', n: 1 } }));
    await doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET n = :n, tags = :tags',
        ExpressionAttributeValues: { ':n': 2, ':tags': new Set(['vip']) },
      }),
    );
    // Changes nothing: no record, as DynamoDB Streams writes none.
    await doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': 2 },
      }),
    );
    // Its condition fails: no record.
    await doc
      .send(
        new PutCommand({
          TableName: TABLE,
          Item: { ...key, n: 3 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch(() => undefined);
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [TABLE]: [
            { PutRequest: { Item: { pk: 'A', sk: 'B', entity: 'x' } } },
            { DeleteRequest: { Key: key } },
          ],
        },
      }),
    );
    await doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: 'A', sk: 'B' } }));
    await feed.idle();

    expect(records.map((r) => [r.kind, r.keys.pk, r.oldImage?.n ?? null, r.newImage?.n ?? null])).toEqual([
      ['insert', 'CUSTOMER#cu_1', null, 1],
      ['modify', 'CUSTOMER#cu_1', 1, 2],
      ['insert', 'A', null, null],
      ['remove', 'CUSTOMER#cu_1', 2, null],
      ['remove', 'A', null, null],
    ]);
    expect(records[1]?.newImage?.tags).toEqual(new Set(['vip']));
    const sequences = records.map((r) => r.sequence);
    expect([...sequences].sort()).toEqual(sequences);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
  });
});

describe('the local change feed, told to skip a partition', () => {
  it('writes a skipped partition without a record and without reading it, and still records the rest', async () => {
    const dynamo = await startLocalDynamo({ tableName: TABLE });
    const skipped: string[] = [];
    const feed = new LocalChangeFeed(dynamo.endpoint, TABLE, {
      skip: (pk) => {
        const skip = pk.startsWith('LIVE#');
        if (skip) skipped.push(pk);
        return skip;
      },
    });
    const records: ChangeRecord[] = [];
    try {
      feed.capture(dynamo.client);
      feed.subscribe(async (batch) => {
        records.push(...batch);
        return {};
      });
      const doc = documentClient(dynamo.client);
      await doc.send(
        new PutCommand({ TableName: TABLE, Item: { pk: 'LIVE#2026-12-03T14#7', sk: '1#e', n: 1 } }),
      );
      await doc.send(
        new PutCommand({ TableName: TABLE, Item: { pk: 'CUSTOMER#cu_9', sk: 'PROFILE', n: 1 } }),
      );
      await feed.idle();
      expect(skipped).toEqual(['LIVE#2026-12-03T14#7']);
      expect(records.map((r) => r.keys)).toEqual([{ pk: 'CUSTOMER#cu_9', sk: 'PROFILE' }]);
    } finally {
      feed.close();
      await dynamo.close();
    }
  });
});
