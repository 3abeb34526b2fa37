import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

/**
 * The feed with a journal (`dir`), as the runtime runs it on DATA_DIR: a kill of the process is a feed
 * dropped without its close (or its answer), and the next start is a new feed on the same folder.
 */
describe('the local change feed, kept in a journal', () => {
  let dynamo: LocalDynamo;
  let dir: string;

  beforeEach(async () => {
    dynamo = await startLocalDynamo({ tableName: TABLE });
    dir = mkdtempSync(join(tmpdir(), 'threadline-journal-'));
  });

  afterEach(async () => {
    await dynamo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A feed on the journal whose records land in `records`, taken under `name`. */
  const feedOn = (records: ChangeRecord[], name = 'test') => {
    const feed = new LocalChangeFeed(dynamo.endpoint, TABLE, { dir });
    feed.subscribe(async (batch) => {
      records.push(...batch);
      return {};
    }, name);
    return feed;
  };

  /**
   * A client whose writes reach the table through `feed` and whose answer never comes back: the process
   * "dies" once the write landed (or failed) and before the feed saw its answer. Resolves when it did.
   */
  const dyingAfterTheWrite = (feed: LocalChangeFeed) => {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    let landed: (outcome: string) => void = () => {};
    const outcome = new Promise<string>((resolve) => {
      landed = resolve;
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        await next(args).then(
          () => landed('written'),
          (error: Error) => landed(error.name),
        );
        return new Promise<never>(() => {});
      },
      { step: 'finalizeRequest', name: 'dieAfterTheWrite' },
    );
    return { doc: documentClient(feed.capture(client)), outcome };
  };

  it("keeps a write's record when the process dies between the write and the feed's answer", async () => {
    const first = new LocalChangeFeed(dynamo.endpoint, TABLE, { dir });
    const { doc, outcome } = dyingAfterTheWrite(first);
    void doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'CUSTOMER#cu_k', sk: 'PROFILE', n: 1 } }));
    expect(await outcome).toBe('written');

    const records: ChangeRecord[] = [];
    const next = feedOn(records);
    await next.idle();
    expect(records.map((r) => [r.kind, r.keys.pk, r.newImage?.n])).toEqual([['insert', 'CUSTOMER#cu_k', 1]]);
    await next.close();
  });

  it('makes no record for a write that failed before the process died (no phantom change)', async () => {
    const key = { pk: 'CUSTOMER#cu_p', sk: 'PROFILE' };
    await documentClient(dynamo.client).send(new PutCommand({ TableName: TABLE, Item: { ...key, n: 1 } }));
    const first = new LocalChangeFeed(dynamo.endpoint, TABLE, { dir });
    const { doc, outcome } = dyingAfterTheWrite(first);
    void doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...key, n: 2 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    expect(await outcome).toBe('ConditionalCheckFailedException');

    const records: ChangeRecord[] = [];
    const next = feedOn(records);
    await next.idle();
    const doc2 = documentClient(next.capture(dynamo.client));
    await doc2.send(new PutCommand({ TableName: TABLE, Item: { ...key, n: 3 } }));
    await next.idle();
    expect(records.map((r) => [r.kind, r.oldImage?.n, r.newImage?.n])).toEqual([['modify', 1, 3]]);
    await next.close();
  });

  it('replays what a consumer had not taken, in order per item, with the same ids, and only that', async () => {
    const first = new LocalChangeFeed(dynamo.endpoint, TABLE, { dir });
    const doc = documentClient(first.capture(dynamo.client));
    for (const n of [1, 2, 3]) {
      await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'A', sk: 'B', n } }));
      await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'C', sk: 'D', n } }));
    }
    // Dropped: nothing was consumed.
    const replayed: ChangeRecord[] = [];
    const second = feedOn(replayed);
    await second.idle();
    const perItem = (records: ChangeRecord[], pk: string) =>
      records.filter((r) => r.keys.pk === pk).map((r) => r.newImage?.n);
    expect([perItem(replayed, 'A'), perItem(replayed, 'C')]).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    await documentClient(second.capture(dynamo.client)).send(
      new PutCommand({ TableName: TABLE, Item: { pk: 'A', sk: 'B', n: 4 } }),
    );
    await second.idle();
    await second.close();

    // Closed after its consumer took everything: a third start replays nothing.
    const third: ChangeRecord[] = [];
    const again = feedOn(third);
    await again.idle();
    expect(third).toEqual([]);
    const sequences = replayed.map((r) => r.sequence);
    expect([...sequences].sort()).toEqual(sequences);
    expect(new Set(replayed.map((r) => r.id)).size).toBe(7);
    await again.close();
  });

  it('lets a record no consumer took go after 24 hours, as the stream trims it', async () => {
    const first = new LocalChangeFeed(dynamo.endpoint, TABLE, { dir });
    await documentClient(first.capture(dynamo.client)).send(
      new PutCommand({ TableName: TABLE, Item: { pk: 'OLD', sk: 'S', n: 1 } }),
    );
    const records: ChangeRecord[] = [];
    const late = new LocalChangeFeed(dynamo.endpoint, TABLE, {
      dir,
      now: () => Date.now() + 24 * 3_600_000 + 60_000,
    });
    late.subscribe(async (batch) => {
      records.push(...batch);
      return {};
    }, 'test');
    await late.idle();
    expect(records).toEqual([]);
    await late.close();
  });

  it('keeps the journal small: records every consumer took are let go', async () => {
    const records: ChangeRecord[] = [];
    const feed = feedOn(records);
    const doc = documentClient(feed.capture(dynamo.client));
    for (let i = 0; i < 1_200; i++) {
      await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: `P#${i % 50}`, sk: 'S', n: i } }));
    }
    await feed.idle();
    await feed.close();
    expect(records).toHaveLength(1_200);
    const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n').length;
    // Rewritten every 1,000 lines or so: never the 3,600 lines (announce, done, ack) of 1,200 writes.
    expect(lines).toBeLessThan(1_100);
  }, 60_000);
});
