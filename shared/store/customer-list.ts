import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../domain/paging.js';
import { customerOfItem, readableOrUndefined } from '../domain/stored-items.js';
import type { Customer } from '../domain/timeline.js';
import { getItems } from './batch-get.js';
import { decodeBeforeCursor, encodeCursor } from './cursor.js';
import { type DynamoDb, updateItemIf } from './dynamo-client.js';
import { Keys, shardOf } from './keys.js';
import { mergeShards } from './sharded-query.js';
import { CUSTOMER_LIST_INDEX } from './table.js';

type Item = Record<string, unknown>;

/**
 * The list of every customer, newest first (`GET /api/customers` without `q`): the profiles in the
 * customer list index (`gsi3`, keys only) at `gsi3pk=CUSTOMER_LIST#<0..63>` (a hash of the id picks
 * the shard) and `gsi3sk=<createdAt>#<id>`. The profile's first write sets them (the resolver's touch
 * of a customer it found no profile for), so listing costs no item and no call of its own, only the
 * index entry; later writes keep them and write no index entry. The erasure's tombstone, which
 * replaces the profile, takes it out; a merge leaves it (the page leaves out a profile merged away).
 * Fixed number of shards: a reader must know where to look.
 */
export const CUSTOMER_LIST_SHARDS = 64;
export const CUSTOMER_LIST_PREFIX = 'CUSTOMER_LIST#';

/**
 * The separate list item of the version before (2026-12-06, `sk=LISTED`, in gsi1k): none is written
 * now; the erasure deletes one left in a table, and `index-customers` replaces them.
 */
export const legacyCustomerListKey = (customerId: string) => ({
  pk: `CUSTOMER#${customerId}`,
  sk: 'LISTED',
});

/** The list partition of a customer's shard. */
export const customerListPartition = (customerId: string): string =>
  `${CUSTOMER_LIST_PREFIX}${shardOf(customerId, CUSTOMER_LIST_SHARDS)}`;

/** A customer's place in the list: the index keys their profile carries, from its creation time. */
export const customerListKeys = (customerId: string, createdAt: string) => ({
  gsi3pk: customerListPartition(customerId),
  gsi3sk: `${createdAt}#${customerId}`,
});

/**
 * What a profile's first write sets to list the customer (`values` takes its values): its place at the
 * time its `createdAt` takes, each key only if absent, so a later or racing write keeps the first.
 */
export function listedByFirstWrite(
  values: Record<string, unknown>,
  customerId: string,
  now: string,
): string[] {
  const keys = customerListKeys(customerId, now);
  Object.assign(values, { ':listPk': keys.gsi3pk, ':listSk': keys.gsi3sk });
  return ['gsi3pk = if_not_exists(gsi3pk, :listPk)', 'gsi3sk = if_not_exists(gsi3sk, :listSk)'];
}

/**
 * Lists a profile created before the list (the backfill), at its creation time: only a customer's
 * profile not yet listed, nor being erased (nor a tombstone). Answers the update for a conditional write.
 */
export function listProfileInput(table: string, customerId: string, createdAt: string): UpdateCommandInput {
  const keys = customerListKeys(customerId, createdAt);
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'SET gsi3pk = :pk, gsi3sk = :sk',
    ConditionExpression:
      'entity = :customer AND attribute_not_exists(gsi3pk) AND attribute_not_exists(erasingSince)',
    ExpressionAttributeValues: { ':pk': keys.gsi3pk, ':sk': keys.gsi3sk, ':customer': 'customer' },
  };
}

/** Lists a profile created before the list unless it is listed already; answers whether it wrote. */
export const listProfile = (db: DynamoDb, customerId: string, createdAt: string): Promise<boolean> =>
  updateItemIf(db, listProfileInput(db.table, customerId, createdAt));

/** One shard's list entries newest first, older than `before` when given. */
function queryShardInput(table: string, shard: number, limit: number, before?: string): QueryCommandInput {
  const pk = `${CUSTOMER_LIST_PREFIX}${shard}`;
  return {
    TableName: table,
    IndexName: CUSTOMER_LIST_INDEX,
    KeyConditionExpression: before === undefined ? 'gsi3pk = :pk' : 'gsi3pk = :pk AND gsi3sk < :before',
    ExpressionAttributeValues: before === undefined ? { ':pk': pk } : { ':pk': pk, ':before': before },
    ScanIndexForward: false,
    Limit: limit,
  };
}

/** Whether a profile is shown in the list: a customer, not merged away, not erased nor being erased. */
const listable = (item: Item): boolean =>
  item.entity === 'customer' && item.mergedInto === undefined && item.erasingSince === undefined;

/**
 * One page of the customer list, newest first: the customer list index's 64 shards merged (each read newest
 * first, older than the cursor), then the page's profiles read in one BatchGetItem. A customer merged
 * away, erased or being erased is left out, so a page may hold fewer than `limit`; its cursor still
 * follows the last list entry read. A page costs 64 small queries (more only for the shards that may
 * hold more of it) and one BatchGetItem, however many customers there are.
 */
export async function customerList(
  db: DynamoDb,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Customer>> {
  const before = decodeBeforeCursor(page.cursor);
  const inputs = Array.from({ length: CUSTOMER_LIST_SHARDS }, (_, shard) =>
    queryShardInput(db.table, shard, page.limit, before),
  );
  const sortKey = (item: Item) => String(item.gsi3sk);
  const out = await mergeShards(db, inputs, { limit: page.limit, sortKey, descending: true });
  const ids = out.items.map((item) => String(item.pk).slice('CUSTOMER#'.length));
  const profiles = new Map((await getItems(db, ids.map(Keys.customer))).map((p) => [String(p.pk), p]));
  const items = ids.flatMap((id) => {
    const profile = profiles.get(Keys.customer(id).pk);
    return profile && listable(profile) ? (readableOrUndefined(customerOfItem, profile) ?? []) : [];
  });
  const last = out.items.at(-1);
  return { items, cursor: out.more && last ? encodeCursor({ before: sortKey(last) }) : null };
}
