import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type DynamoDb, queryItems } from './dynamo-client.js';

/** The sort key a cursor continues before; a cursor we did not make is a ValidationError. */
function before(cursor: string | undefined): string | undefined {
  const decoded = decodeCursor(cursor);
  if (decoded === undefined) return undefined;
  if (typeof decoded.before !== 'string') throw new ValidationError('invalid cursor');
  return decoded.before;
}

/**
 * One page, newest first, of a log spread over `shards` partitions sorted by `<at>#<id>`: every shard
 * is asked for its newest `limit` items older than the cursor, the answers merged and `limit` kept.
 * The cursor is the sort key of the last item answered.
 */
export async function shardedPage(
  db: DynamoDb,
  shards: number,
  page: { limit: number; cursor?: string | undefined },
  query: (shard: number, limit: number, before: string | undefined) => QueryCommandInput,
): Promise<{ items: Record<string, unknown>[]; cursor: string | null }> {
  const after = before(page.cursor);
  const all = Array.from({ length: shards }, (_, shard) => shard);
  const pages = await Promise.all(all.map((shard) => queryItems(db, query(shard, page.limit, after))));
  const found = pages
    .flatMap((answer) => answer.Items ?? [])
    .sort((a, b) => (String(a.sk) < String(b.sk) ? 1 : String(a.sk) > String(b.sk) ? -1 : 0));
  const items = found.slice(0, page.limit);
  const more = found.length > page.limit || pages.some((answer) => answer.LastEvaluatedKey !== undefined);
  const last = items.at(-1);
  return { items, cursor: more && last ? encodeCursor({ before: String(last.sk) }) : null };
}
