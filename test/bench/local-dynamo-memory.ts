import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import { watchLevelIterators } from '../support/level-iterators.js';

const TABLE = 'bench-level';

/**
 * The local runtime's DynamoDB (dynalite on LevelDB, on disk as `npm start` runs it) over `queries`
 * Queries of a few items each: the iterators left open and the process's memory after a full garbage
 * collection, before and after. Before the iterators' `return` (shared/local/level-iterators.ts) each
 * Query kept its iterator, ~12 KB, for the life of the process.
 */
export async function localDynamoMemoryFigures(queries: number): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const openIterators = watchLevelIterators();
  const dir = mkdtempSync(join(tmpdir(), 'bench-level-'));
  const dynamo = await startLocalDynamo({ tableName: TABLE, path: dir });
  try {
    for (let p = 0; p < 64; p++) {
      for (let i = 0; i < 30; i++) {
        await dynamo.client.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: {
              pk: { S: `P${p}` },
              sk: { S: `name#${String(i).padStart(4, '0')}` },
              v: { S: 'x'.repeat(200) },
            },
          }),
        );
      }
    }
    const memory = async () => {
      gc();
      const { rss, heapUsed } = process.memoryUsage();
      return { rss, heapUsed, iterators: await openIterators() };
    };
    const read = (q: number) =>
      dynamo.client.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
          ExpressionAttributeValues: { ':p': { S: `P${q % 64}` }, ':s': { S: 'name#00' } },
          Limit: 5,
        }),
      );
    // LevelDB settles first (compacting what the seeding wrote, filling its cache): measure after that.
    for (let q = 0; q < 4_000; q++) await read(q);
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
    const steps: string[] = [];
    const first = await memory();
    let last = first;
    for (let step = 1; step <= 4; step++) {
      for (let q = 0; q < queries / 4; q++) await read(q);
      last = await memory();
      steps.push(`${((step * queries) / 4).toLocaleString('en-US')}: ${mb(last.rss)}`);
    }
    console.log(
      `  ${queries.toLocaleString('en-US')} Queries (Limit 5) on disk after 4,000 to settle: iterators open ` +
        `${first.iterators} → ${last.iterators}; heap ${mb(first.heapUsed)} → ${mb(last.heapUsed)}; ` +
        `RSS ${mb(first.rss)}, then ${steps.join(', ')} (${((last.rss - first.rss) / queries).toFixed(0)} B a Query)`,
    );
  } finally {
    await dynamo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
