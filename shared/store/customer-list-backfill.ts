import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { encodeCursor } from './cursor.js';
import { listCustomer } from './customer-list.js';
import { type DynamoDb, sendDynamo } from './dynamo-client.js';
import { decodeFrom, type Scanner } from './thread-link-notes.js';

type Item = Record<string, unknown>;

/** What a run of `index-customers` did, and where the next run starts (absent: the table is done). */
export type CustomerListBackfill = { listed: number; pages: number; cursor?: string | undefined };

/** One page of the table's customer profiles: what listing them needs. */
export function scanProfilesInput(table: string, limit: number, startKey?: Item): ScanCommandInput {
  return {
    TableName: table,
    FilterExpression: 'entity = :customer',
    ExpressionAttributeValues: { ':customer': 'customer' },
    ProjectionExpression: 'pk, sk, entity, createdAt, mergedInto, erasingSince',
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * The upgrade's one-off backfill for the customer list: customers first seen before it have no list
 * entry. Reads the whole table once (a Scan, filtered to customer profiles, `limit` items a page, at
 * most `pages` pages from `from`) and lists each one neither merged away nor being erased, at the
 * time their profile was created (a conditional put: one listed already keeps its entry). Idempotent
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
      if (profile.sk !== 'PROFILE' || typeof profile.createdAt !== 'string') continue;
      if (profile.mergedInto !== undefined || profile.erasingSince !== undefined) continue;
      const customerId = String(profile.pk).slice('CUSTOMER#'.length);
      if (await listCustomer(db, customerId, profile.createdAt)) done.listed += 1;
    }
    done.pages += 1;
    startKey = out.LastEvaluatedKey;
  } while (startKey && (options.pages === undefined || done.pages < options.pages));
  return { ...done, cursor: encodeCursor(startKey) ?? undefined };
}
