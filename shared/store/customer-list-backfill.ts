import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { encodeCursor } from './cursor.js';
import { legacyCustomerListKey, listProfile } from './customer-list.js';
import { type DynamoDb, deleteItem, sendDynamo } from './dynamo-client.js';
import { decodeFrom, type Scanner } from './thread-link-notes.js';

type Item = Record<string, unknown>;

/** What a run of `index-customers` did, and where the next run starts (absent: the table is done). */
export type CustomerListBackfill = { listed: number; pages: number; cursor?: string | undefined };

/** One page of the table's customer profiles (and list items of the version before): what listing needs. */
export function scanProfilesInput(table: string, limit: number, startKey?: Item): ScanCommandInput {
  return {
    TableName: table,
    FilterExpression: 'entity IN (:customer, :listed)',
    ExpressionAttributeValues: { ':customer': 'customer', ':listed': 'customer_listed' },
    ProjectionExpression: 'pk, sk, entity, createdAt, erasingSince, gsi3pk',
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * The upgrade's one-off backfill for the customer list: customers first seen before it have no place
 * in it. Reads the whole table once (a Scan, filtered to customer profiles, `limit` items a page, at
 * most `pages` pages from `from`) and lists each profile not listed yet nor being erased, at the time
 * it was created (a conditional update of the profile: one listed already keeps its place). A customer
 * merged away is listed too (the list leaves them out while merged; an unmerge shows them again). A
 * list item of the version before (`sk=LISTED`, 2026-12-06) is deleted: its profile is listed by then
 * or in this run. Idempotent and resumable from the cursor it answers.
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
    for (const item of out.Items ?? []) {
      const customerId = String(item.pk).slice('CUSTOMER#'.length);
      if (item.entity === 'customer_listed') {
        await deleteItem(db, { TableName: db.table, Key: legacyCustomerListKey(customerId) });
        continue;
      }
      if (item.sk !== 'PROFILE' || typeof item.createdAt !== 'string') continue;
      if (item.gsi3pk !== undefined || item.erasingSince !== undefined) continue;
      if (await listProfile(db, customerId, item.createdAt)) done.listed += 1;
    }
    done.pages += 1;
    startKey = out.LastEvaluatedKey;
  } while (startKey && (options.pages === undefined || done.pages < options.pages));
  return { ...done, cursor: encodeCursor(startKey) ?? undefined };
}
