import type { PutCommandInput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../domain/paging.js';
import { customerOfItem, readableOrUndefined } from '../domain/stored-items.js';
import type { Customer } from '../domain/timeline.js';
import { ValidationError } from '../errors.js';
import { getItems } from './batch-get.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type DynamoDb, putItemIf } from './dynamo-client.js';
import { Keys, shardOf } from './keys.js';
import { mergeShards } from './sharded-query.js';
import { LIST_INDEX } from './table.js';

type Item = Record<string, unknown>;

/**
 * The list of every customer, newest first (`GET /api/customers` without `q`): one item per customer,
 * `pk=CUSTOMER#<id>, sk=LISTED`, in the list index at `gsi1pk=CUSTOMER_LIST#<0..63>` (a hash of the
 * id picks the shard) and `gsi1sk=<createdAt>#<id>`. Written once, at a customer's first contact; the
 * erasure deletes it; a merge leaves it (the page leaves out a profile merged away). Fixed number of
 * shards: a reader must know where to look.
 */
export const CUSTOMER_LIST_SHARDS = 64;
export const CUSTOMER_LIST_PREFIX = 'CUSTOMER_LIST#';

/** The list item of a customer (the erasure deletes it). */
export const customerListKey = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'LISTED' });

/** The list partition of a customer's shard. */
export const customerListPartition = (customerId: string): string =>
  `${CUSTOMER_LIST_PREFIX}${shardOf(customerId, CUSTOMER_LIST_SHARDS)}`;

/** Lists a customer once: a repeat (a retry of the first message, a backfill) leaves the first in place. */
export function listCustomerInput(table: string, customerId: string, createdAt: string): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...customerListKey(customerId),
      entity: 'customer_listed',
      gsi1pk: customerListPartition(customerId),
      gsi1sk: `${createdAt}#${customerId}`,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Writes a customer's list item unless it is there; answers whether it wrote. */
export const listCustomer = (db: DynamoDb, customerId: string, createdAt: string): Promise<boolean> =>
  putItemIf(db, listCustomerInput(db.table, customerId, createdAt));

/** One shard's list items newest first, older than `before` when given. */
function queryShardInput(table: string, shard: number, limit: number, before?: string): QueryCommandInput {
  const pk = `${CUSTOMER_LIST_PREFIX}${shard}`;
  return {
    TableName: table,
    IndexName: LIST_INDEX,
    KeyConditionExpression: before === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk < :before',
    ExpressionAttributeValues: before === undefined ? { ':pk': pk } : { ':pk': pk, ':before': before },
    ScanIndexForward: false,
    Limit: limit,
  };
}

/** The sort key a cursor continues before; a cursor we did not make is a ValidationError. */
function listBefore(cursor: string | undefined): string | undefined {
  const decoded = decodeCursor(cursor);
  if (decoded === undefined) return undefined;
  if (
    typeof decoded.before !== 'string' ||
    Object.keys(decoded).length !== 1 ||
    !decoded.before.includes('#')
  ) {
    throw new ValidationError('invalid cursor');
  }
  return decoded.before;
}

/** Whether a profile is shown in the list: a customer, not merged away, not erased nor being erased. */
const listable = (item: Item): boolean =>
  item.entity === 'customer' && item.mergedInto === undefined && item.erasingSince === undefined;

/**
 * One page of the customer list, newest first: the list index's 64 shards merged (each read newest
 * first, older than the cursor), then the page's profiles read in one BatchGetItem. A customer merged
 * away, erased or being erased is left out, so a page may hold fewer than `limit`; its cursor still
 * follows the last list item read. A page costs 64 small queries (more only for the shards that may
 * hold more of it) and one BatchGetItem, however many customers there are.
 */
export async function customerList(
  db: DynamoDb,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Customer>> {
  const before = listBefore(page.cursor);
  const inputs = Array.from({ length: CUSTOMER_LIST_SHARDS }, (_, shard) =>
    queryShardInput(db.table, shard, page.limit, before),
  );
  const sortKey = (item: Item) => String(item.gsi1sk);
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
