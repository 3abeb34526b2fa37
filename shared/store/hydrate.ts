import { type DynamoDb, getItem } from './dynamo-client.js';
import { getInput } from './params/common.js';

type Item = Record<string, unknown>;

/**
 * The items behind index entries, which hold keys and filters only (the list and deadline indexes
 * project nothing a message changes), in the entries' order: one GetItem each, in parallel. An item
 * deleted since the index answered is left out.
 */
export async function fullItems(db: DynamoDb, entries: readonly Item[]): Promise<Item[]> {
  const outs = await Promise.all(
    entries.map((entry) => getItem(db, getInput(db.table, { pk: String(entry.pk), sk: String(entry.sk) }))),
  );
  return outs.flatMap((out) => (out.Item ? [out.Item] : []));
}
