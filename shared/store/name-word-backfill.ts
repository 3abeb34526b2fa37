import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { encodeCursor } from './cursor.js';
import { type DynamoDb, sendDynamo, updateItemIf } from './dynamo-client.js';
import { Keys, nameSortKey } from './keys.js';
import { putNameWords, settleNameWords } from './name-word-writes.js';
import { liveName, NAME_WORDS } from './name-words.js';
import { decodeFrom, type Scanner } from './thread-link-notes.js';

type Item = Record<string, unknown>;

/** What a run of `index-name-words` did, and where the next run starts (absent: the table is done). */
export type NameWordBackfill = {
  indexed: number;
  refolded: number;
  pages: number;
  cursor?: string | undefined;
};

/** One page of the table's named customer profiles: what indexing their words needs. */
export function scanNamedProfilesInput(table: string, limit: number, startKey?: Item): ScanCommandInput {
  return {
    TableName: table,
    FilterExpression: 'entity = :customer AND attribute_exists(#name)',
    ExpressionAttributeNames: { '#name': 'name' },
    ExpressionAttributeValues: { ':customer': 'customer' },
    ProjectionExpression: 'pk, sk, id, entity, #name, nameAt, nameRev, mergedInto, erasingSince, gsi1sk',
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * Writes a stored profile's word entries at its name's version (none for one merged away or being
 * erased: its merge or erasure took them), settled against a strong read of the profile, and moves its
 * own entry to the name as this version folds it (see `nameSearchKey`), conditional on the name and entry
 * read, so a rename since is left as it wrote it. Answers what it did.
 */
async function indexProfile(db: DynamoDb, profile: Item): Promise<{ indexed: boolean; refolded: boolean }> {
  const customerId = String(profile.pk).slice('CUSTOMER#'.length);
  const written = liveName(profile);
  if (!written) return { indexed: false, refolded: false };
  const { name } = written;
  // Every slot past the name's entries cleared: a folding that changed may index fewer words than the
  // one before. The scan read the profile a while ago: settled against a strong read, as a rename's are.
  await putNameWords(db, customerId, written, NAME_WORDS);
  await settleNameWords(db, customerId, written);
  const sortKey = nameSortKey(name, customerId);
  if (typeof profile.gsi1sk !== 'string' || profile.gsi1sk === sortKey)
    return { indexed: true, refolded: false };
  const refolded = await updateItemIf(db, {
    TableName: db.table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'SET gsi1sk = :sk',
    ConditionExpression: '#name = :name AND gsi1sk = :old',
    ExpressionAttributeNames: { '#name': 'name' },
    ExpressionAttributeValues: { ':sk': sortKey, ':name': name, ':old': profile.gsi1sk },
  });
  return { indexed: true, refolded };
}

/**
 * The upgrade's one-off backfill for search by word: customers named before this version have no word
 * entries. Reads the whole table once (a Scan, filtered to named profiles, `limit` items a page, at
 * most `pages` pages from `from`) and writes each one's (`indexProfile`). Idempotent (the same items
 * every time) and resumable from the cursor it answers.
 */
export async function indexNameWords(
  db: DynamoDb,
  scan: Scanner,
  options: { from?: string | undefined; limit: number; pages?: number | undefined },
): Promise<NameWordBackfill> {
  const done: NameWordBackfill = { indexed: 0, refolded: 0, pages: 0 };
  let startKey = options.from ? decodeFrom(options.from) : undefined;
  do {
    const out = await sendDynamo('Scan', () =>
      scan(scanNamedProfilesInput(db.table, options.limit, startKey)),
    );
    for (const profile of out.Items ?? []) {
      const result = await indexProfile(db, profile);
      if (result.indexed) done.indexed += 1;
      if (result.refolded) done.refolded += 1;
    }
    done.pages += 1;
    startKey = out.LastEvaluatedKey;
  } while (startKey && (options.pages === undefined || done.pages < options.pages));
  return { ...done, cursor: encodeCursor(startKey) ?? undefined };
}
