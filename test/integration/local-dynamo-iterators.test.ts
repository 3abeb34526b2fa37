import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '#shared/local/dynamo.js';
import { watchLevelIterators } from '../support/level-iterators.js';

const TABLE = 'level-iterators';
const QUERIES = 600;

const openIterators = watchLevelIterators();

/**
 * dynalite 4.0.0 closes a Query's stream with `iterator.return()`, which abstract-level 3's iterators do
 * not have (they have `close()`): unpatched, every Query, Scan and ListTables left its LevelDB iterator
 * (and on disk its snapshot) open for the life of the process, ~12 KB each. The local runtime gives the
 * iterators a `return` that closes them (shared/local/level-iterators.ts).
 */
describe.each([
  ['in memory', false],
  ['on disk (LevelDB)', true],
])('the local DynamoDB %s closes the iterator of every read', (_name, onDisk) => {
  let dynamo: LocalDynamo;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = onDisk ? mkdtempSync(join(tmpdir(), 'level-iterators-')) : undefined;
    dynamo = await startLocalDynamo({ tableName: TABLE, ...(dir ? { path: dir } : {}) });
    for (let p = 0; p < 8; p++) {
      for (let i = 0; i < 12; i++) {
        await dynamo.client.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: {
              pk: { S: `P${p}` },
              sk: { S: `item#${String(i).padStart(3, '0')}` },
              gsi1pk: { S: `G${p % 2}` },
              gsi1sk: { S: `${p}#${i}` },
            },
          }),
        );
      }
    }
  });
  afterAll(async () => {
    await dynamo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${QUERIES} Queries (cut short by Limit, read to the end, on an index) and Scans leave none open`, async () => {
    const before = await openIterators();
    let items = 0;
    for (let q = 0; q < QUERIES; q++) {
      const shape = q % 4;
      const answer =
        shape === 3
          ? await dynamo.client.send(new ScanCommand({ TableName: TABLE, Limit: 5 }))
          : await dynamo.client.send(
              new QueryCommand({
                TableName: TABLE,
                ...(shape === 2
                  ? {
                      IndexName: 'gsi1k',
                      KeyConditionExpression: 'gsi1pk = :p',
                      ExpressionAttributeValues: { ':p': { S: `G${q % 2}` } },
                    }
                  : {
                      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
                      ExpressionAttributeValues: { ':p': { S: `P${q % 8}` }, ':s': { S: 'item#' } },
                    }),
                ...(shape === 0 ? { Limit: 3 } : {}),
              }),
            );
      items += answer.Items?.length ?? 0;
    }
    expect(items).toBe((QUERIES / 4) * (3 + 12 + 48 + 5));
    expect(await openIterators()).toBe(before);
  });
});
