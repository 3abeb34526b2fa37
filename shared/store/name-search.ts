import type { NamePage } from '../domain/agent-ports.js';
import type { Page } from '../domain/paging.js';
import { customerOfItem } from '../domain/stored-items.js';
import type { Customer } from '../domain/timeline.js';
import { decodeNameCursor, encodeNameCursor } from './cursor.js';
import type { DynamoDb } from './dynamo-client.js';
import { fullItems } from './hydrate.js';
import { Keys, namePartitions, nameSearchKey } from './keys.js';
import { queryCustomersByNameInput } from './params/customers.js';
import { mergeShards } from './sharded-query.js';

type Item = Record<string, unknown>;

const sortKey = (item: Item): string => String(item.gsi1sk);

/**
 * The entries a page answers out of those merged: the first `limit` not skipped, and the last entry
 * passed to reach them (the next page's place), with whether entries not skipped may follow.
 */
function takePage(
  merged: { items: Item[]; more: boolean },
  limit: number,
  skipped: ReadonlySet<string>,
): { kept: Item[]; last: Item | undefined; more: boolean } {
  const kept: Item[] = [];
  let passed = 0;
  for (const item of merged.items) {
    if (kept.length === limit) break;
    passed += 1;
    if (!skipped.has(String(item.pk))) kept.push(item);
  }
  const rest = merged.items.slice(passed).some((item) => !skipped.has(String(item.pk)));
  return { kept, last: merged.items[passed - 1], more: merged.more || rest };
}

/**
 * One page of the customers whose name starts with `prefix`, in the name index's order (folded name,
 * then id), merged from its shards and the partition written before sharding, then read by key. Each
 * shard resumes after the last entry the cursor passed (`> after`, its prefix ending it), so a page
 * costs what the first one does however deep it is. `skip`: customers answered already (by identity),
 * left out of this page and, carried in the cursor, every later one; a page asks for as many more
 * entries as it may skip, so it is not cut short. `limit` 0 reads nothing: the cursor starts the names.
 */
export async function customersByName(db: DynamoDb, prefix: string, page: NamePage): Promise<Page<Customer>> {
  const prefixKey = nameSearchKey(prefix);
  const place = page.cursor ? decodeNameCursor(page.cursor, prefixKey) : { skip: [...(page.skip ?? [])] };
  if (page.limit === 0) return { items: [], cursor: encodeNameCursor(place) };
  const skipped = new Set(place.skip.map((id) => Keys.customer(id).pk));
  const want = page.limit + skipped.size;
  const inputs = namePartitions().map((partition) =>
    queryCustomersByNameInput(db.table, prefix, want, partition, place.after),
  );
  const within = (item: Item) => sortKey(item).startsWith(prefixKey);
  const merged = await mergeShards(db, inputs, { limit: want, sortKey, within });
  const { kept, last, more } = takePage(merged, page.limit, skipped);
  const items = (await fullItems(db, kept)).map(customerOfItem);
  return {
    items,
    cursor: more && last ? encodeNameCursor({ after: sortKey(last), skip: place.skip }) : null,
  };
}
