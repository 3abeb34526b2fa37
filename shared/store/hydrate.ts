import { getItems } from './batch-get.js';
import type { DynamoDb } from './dynamo-client.js';

type Item = Record<string, unknown>;

/**
 * The items behind index entries, which hold keys and filters only (the list and deadline indexes
 * project nothing a message changes), in the entries' order: BatchGetItem, 100 keys a call. An item
 * deleted since the index answered is left out.
 */
export async function fullItems(db: DynamoDb, entries: readonly Item[]): Promise<Item[]> {
  return getItems(
    db,
    entries.map((entry) => ({ pk: String(entry.pk), sk: String(entry.sk) })),
  );
}
