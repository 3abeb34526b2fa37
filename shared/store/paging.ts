import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { type DynamoDb, queryItems } from './dynamo-client.js';
import { INDEX_KEYS, type QueriedIndex } from './table.js';

type Item = Record<string, unknown>;

/** The key DynamoDB resumes a query after: the table's keys, and the index's when it reads one. */
function keyOf(input: QueryCommandInput, item: Item): Item {
  const indexName = input.IndexName;
  const index = indexName
    ? (INDEX_KEYS[indexName as QueriedIndex] ?? { pk: `${indexName}pk`, sk: `${indexName}sk` })
    : undefined;
  const names = index ? ['pk', 'sk', index.pk, index.sk] : ['pk', 'sk'];
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}

/**
 * Up to `limit` items of a query, following LastEvaluatedKey across DynamoDB's 1 MB stops and past
 * items a filter dropped, so a page is never cut short. `next` is the key to resume after the last
 * item returned; it is there exactly when more items exist (one more is read to know). `maxRead`
 * bounds how many items the query evaluates in all, for reads that look only so far back.
 */
export async function queryPage(
  db: DynamoDb,
  input: QueryCommandInput,
  limit: number,
  options: { maxRead?: number } = {},
): Promise<{ items: Item[]; next: Item | undefined }> {
  const items: Item[] = [];
  let startKey = input.ExclusiveStartKey;
  let read = 0;
  do {
    // The builder's Limit is a floor: a filtered query evaluates more items than it returns.
    const want = Math.max(limit + 1 - items.length, input.Limit ?? 0);
    const room = options.maxRead === undefined ? want : Math.min(want, options.maxRead - read);
    if (room <= 0) break;
    const out = await queryItems(db, {
      ...input,
      Limit: room,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    read += out.ScannedCount ?? out.Items?.length ?? 0;
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey && items.length <= limit);
  const taken = items.slice(0, limit);
  const last = taken.at(-1);
  return { items: taken, next: items.length > limit && last ? keyOf(input, last) : undefined };
}

/** Every item of a query, page after page. */
export async function queryAll(db: DynamoDb, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let startKey = input.ExclusiveStartKey;
  do {
    const out = await queryItems(db, { ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) });
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}
