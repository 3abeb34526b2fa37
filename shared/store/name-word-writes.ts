import type { DeleteCommandInput, PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { type DynamoDb, deleteItem, getItem, putItemIf, sendConditional } from './dynamo-client.js';
import { Keys } from './keys.js';
import {
  liveName,
  NAME_WORDS,
  nameWordItems,
  nameWordKey,
  nameWordTexts,
  sameName,
  type VersionedName,
} from './name-words.js';
import { getInput } from './params/common.js';

type Item = Record<string, unknown>;

/** An entry written before versions, or for a version no higher than this one's. */
const NOT_NEWER = 'attribute_not_exists(nameVersion) OR nameVersion <= :version';

/** Puts a word entry of a name's `version`, unless the slot holds one of a later version. */
export function putNameWordInput(table: string, item: Item): PutCommandInput {
  return {
    TableName: table,
    Item: item,
    ConditionExpression: NOT_NEWER,
    ExpressionAttributeValues: { ':version': item.nameVersion },
  };
}

/** Clears a customer's word entry `n` for a name's `version`, unless it holds one of a later version. */
export function clearNameWordInput(
  table: string,
  customerId: string,
  n: number,
  version: string,
): DeleteCommandInput {
  return {
    TableName: table,
    Key: nameWordKey(customerId, n),
    ConditionExpression: NOT_NEWER,
    ExpressionAttributeValues: { ':version': version },
  };
}

/** How many word entries a name has. */
export const wordCount = (name: string): number => nameWordTexts(name).length;

/**
 * Writes the word entries of a versioned name (one conditional PutItem each), and clears the slots
 * after them up to `clearTo` (one conditional DeleteItem each): none of them replaces or removes an
 * entry of a later version. The same items every time, so a retry writes what the first try did.
 */
export async function putNameWords(
  db: DynamoDb,
  customerId: string,
  written: VersionedName,
  clearTo = 0,
): Promise<void> {
  const items = nameWordItems(customerId, written.name, written.version);
  for (const item of items) await putItemIf(db, putNameWordInput(db.table, item));
  await clearNameWords(db, customerId, written.version, items.length + 1, clearTo);
}

/** Clears the word entries `from` to `to` that are of `version` or older (or written before versions). */
export async function clearNameWords(
  db: DynamoDb,
  customerId: string,
  version: string,
  from = 1,
  to = NAME_WORDS,
): Promise<void> {
  for (let n = from; n <= to; n += 1) {
    await sendConditional('DeleteItem', () =>
      db.doc.delete(clearNameWordInput(db.table, customerId, n, version)),
    );
  }
}

/** Deletes every word entry a customer may have, whatever its version (a merge, once the source points away). */
export async function deleteNameWords(db: DynamoDb, customerId: string): Promise<void> {
  for (let n = 1; n <= NAME_WORDS; n += 1) {
    await deleteItem(db, { TableName: db.table, Key: nameWordKey(customerId, n) });
  }
}

/** Rounds of `settleNameWords` before it leaves the rest to the writers still at work (the search skips stale entries). */
const SETTLE_ROUNDS = 3;

/**
 * After word entries were written for `written` (undefined: none), reads the profile strongly and
 * makes the entries its name's: the writes above may have raced a rename, a merge or an erasure that
 * the profile already shows. A customer merged away or erased keeps none of ours (a merge or erasure
 * that began before the read deletes them after it, whatever they are); a renamed one gets the name's
 * entries at its version and the slots after them cleared, then the profile is read again. Nothing
 * more when the profile still has the name written: the common case costs one GetItem.
 */
export async function settleNameWords(
  db: DynamoDb,
  customerId: string,
  written: VersionedName | undefined,
): Promise<void> {
  let last = written;
  for (let round = 0; round < SETTLE_ROUNDS; round += 1) {
    const profile = await getItem(db, getInput(db.table, Keys.customer(customerId), true));
    const current = liveName(profile.Item);
    if (sameName(current, last)) return;
    if (!current) {
      if (last) await clearNameWords(db, customerId, last.version);
      return;
    }
    await putNameWords(db, customerId, current, NAME_WORDS);
    last = current;
  }
}
