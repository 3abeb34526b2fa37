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

/**
 * The pages (items evaluated, newest first) a look back reads in turn until it has its answer: a small
 * first one, where the answer nearly always is, then larger ones (fewer calls for an answer further back).
 */
export const LOOK_BACK_PAGES: readonly number[] = [10, 30, 60];

/**
 * The items a query returns (a newest-first look back), read in pages of LOOK_BACK_PAGES (the last size
 * repeated) until `settled` says the items found so far answer as the whole look back would, or `lookBack`
 * items are evaluated: DynamoDB bills every item a query evaluates, whatever its filter keeps, so the
 * saving is in items not read.
 */
export async function readBack(
  db: DynamoDb,
  input: QueryCommandInput,
  lookBack: number,
  settled: (found: readonly Item[]) => boolean,
): Promise<Item[]> {
  const found: Item[] = [];
  let startKey = input.ExclusiveStartKey;
  let read = 0;
  for (let page = 0; read < lookBack; page++) {
    const size = LOOK_BACK_PAGES[Math.min(page, LOOK_BACK_PAGES.length - 1)] ?? lookBack;
    const out = await queryItems(db, {
      ...input,
      Limit: Math.min(size, lookBack - read),
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    const scanned = out.ScannedCount ?? out.Items?.length ?? 0;
    read += scanned;
    found.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
    if (!startKey || scanned === 0 || settled(found)) break;
  }
  return found;
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
