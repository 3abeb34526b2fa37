import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { decodeBeforeCursor, encodeCursor } from './cursor.js';
import { type DynamoDb, queryItems } from './dynamo-client.js';

/**
 * One page, newest first, of a log spread over `shards` partitions sorted by `<at>#<id>`: every shard
 * is asked for its newest `limit` items older than the cursor, the answers merged and `limit` kept.
 * With a filter (a shard's page may match fewer than it read), only items down to the newest point a
 * shard stopped reading at are answered, all shards having been read that far; the page may then be
 * short, or empty with a cursor. The cursor is the sort key to continue before.
 */
export async function shardedPage(
  db: DynamoDb,
  shards: number,
  page: { limit: number; cursor?: string | undefined },
  query: (shard: number, limit: number, before: string | undefined) => QueryCommandInput,
): Promise<{ items: Record<string, unknown>[]; cursor: string | null }> {
  const after = decodeBeforeCursor(page.cursor);
  const all = Array.from({ length: shards }, (_, shard) => shard);
  const pages = await Promise.all(all.map((shard) => queryItems(db, query(shard, page.limit, after))));
  const found = pages
    .flatMap((answer) => answer.Items ?? [])
    .sort((a, b) => (String(a.sk) < String(b.sk) ? 1 : String(a.sk) > String(b.sk) ? -1 : 0));
  const stops = pages.flatMap((answer) =>
    answer.LastEvaluatedKey ? [String(answer.LastEvaluatedKey.sk)] : [],
  );
  const frontier = stops.length > 0 ? stops.reduce((a, b) => (a > b ? a : b)) : undefined;
  const seen = frontier === undefined ? found : found.filter((item) => String(item.sk) >= frontier);
  const items = seen.slice(0, page.limit);
  const last = items.at(-1);
  if (seen.length > page.limit && last) return { items, cursor: encodeCursor({ before: String(last.sk) }) };
  return { items, cursor: frontier === undefined ? null : encodeCursor({ before: frontier }) };
}
