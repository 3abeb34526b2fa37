import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { encodeCursor } from './cursor.js';
import { customerListKey, listCustomer } from './customer-list.js';
import { type DynamoDb, deleteItem, sendDynamo } from './dynamo-client.js';
import { isCustomerGone } from './raw-profile.js';
import { decodeFrom, type Scanner } from './thread-link-notes.js';

type Item = Record<string, unknown>;

/** What a run of `index-customers` did, and where the next run starts (absent: the table is done). */
export type CustomerListBackfill = { listed: number; pages: number; cursor?: string | undefined };

/** One page of the table's customer profiles: what listing them needs. */
export function scanProfilesInput(table: string, limit: number, startKey?: Item): ScanCommandInput {
  return {
    TableName: table,
    FilterExpression: 'entity IN (:customer, :erased)',
    ExpressionAttributeValues: { ':customer': 'customer', ':erased': 'erased_customer' },
    ProjectionExpression: 'pk, sk, entity, createdAt, mergedInto, erasingSince',
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

const unlist = (db: DynamoDb, customerId: string) =>
  deleteItem(db, { TableName: db.table, Key: customerListKey(customerId) });

/**
 * Whether an entry the backfill just wrote stays: the profile read again strongly, the entry taken back
 * when the customer's erasure began since the Scan read them. An erasure that begins after this read
 * deletes the entry itself (its list step comes after its first mark), so an erased customer is never
 * listed again, whatever the order.
 */
async function listedStill(db: DynamoDb, customerId: string): Promise<boolean> {
  if (!(await isCustomerGone(db, customerId))) return true;
  await unlist(db, customerId);
  return false;
}

/**
 * The upgrade's one-off backfill for the customer list: customers first seen before it have no list
 * entry. Reads the whole table once (a Scan, filtered to customer profiles, `limit` items a page, at
 * most `pages` pages from `from`) and lists each one neither merged away nor being erased, at the
 * time their profile was created (a conditional put: one listed already keeps its entry; see
 * `listedStill` for an erasure that runs meanwhile), and deletes the entry of each erased one. Idempotent
 * and resumable from the cursor it answers.
 */
export async function indexCustomers(
  db: DynamoDb,
  scan: Scanner,
  options: { from?: string | undefined; limit: number; pages?: number | undefined },
): Promise<CustomerListBackfill> {
  const done: CustomerListBackfill = { listed: 0, pages: 0 };
  let startKey = options.from ? decodeFrom(options.from) : undefined;
  do {
    const out = await sendDynamo('Scan', () => scan(scanProfilesInput(db.table, options.limit, startKey)));
    for (const profile of out.Items ?? []) {
      if (profile.sk !== 'PROFILE') continue;
      const customerId = String(profile.pk).slice('CUSTOMER#'.length);
      // An entry a run cut off before its check below wrote for a customer erased since: gone again.
      if (profile.entity !== 'customer') await unlist(db, customerId);
      if (profile.entity !== 'customer' || typeof profile.createdAt !== 'string') continue;
      if (profile.mergedInto !== undefined || profile.erasingSince !== undefined) continue;
      if (await listCustomer(db, customerId, profile.createdAt))
        done.listed += (await listedStill(db, customerId)) ? 1 : 0;
    }
    done.pages += 1;
    startKey = out.LastEvaluatedKey;
  } while (startKey && (options.pages === undefined || done.pages < options.pages));
  return { ...done, cursor: encodeCursor(startKey) ?? undefined };
}
