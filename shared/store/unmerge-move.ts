import { cameThrough } from '../domain/merges.js';
import { type DynamoDb, deleteItem, getItem, putItemIf, queryItems, updateItemIf } from './dynamo-client.js';
import { providerReferencesOf, RAW_PREFIX } from './keys.js';
import { deleteInput, getInput } from './params/common.js';
import { pointReferenceInput, putMovedItemInput, queryUnmergeScanInput } from './params/merges.js';

/** The source and target of one merge being undone. */
export type Pair = { sourceId: string; targetId: string };

/** What moving one item back costs on top of reading it: its copy, its references, its deletion. */
const MOVE_COST = 4;
const SCAN_PAGE = 100;

/**
 * Moves one item of the target's partition to the source's, in the order that lets a crash anywhere
 * be completed by the next call: the raw payload kept aside and the item copied (once), the references
 * pointed at the source, then the raw payload and the item deleted from the target, the item last (a
 * retry finds it and does the rest).
 */
async function moveItem(db: DynamoDb, pair: Pair, stored: Record<string, unknown>): Promise<void> {
  const key = { pk: String(stored.pk), sk: String(stored.sk) };
  const rawKey = { pk: key.pk, sk: `${RAW_PREFIX}${key.sk}` };
  const aside =
    stored.raw === undefined ? (await getItem(db, getInput(db.table, rawKey, true))).Item : undefined;
  if (aside) await putItemIf(db, putMovedItemInput(db.table, aside, pair));
  await putItemIf(db, putMovedItemInput(db.table, stored, pair));
  for (const reference of providerReferencesOf(stored)) {
    await updateItemIf(db, pointReferenceInput(db.table, reference, pair));
  }
  if (aside) await deleteItem(db, deleteInput(db.table, rawKey));
  await deleteItem(db, deleteInput(db.table, key));
}

/**
 * Gives the source back what came through its identities while merged: reads the target's timeline
 * from `after` on, a page at a time, and moves each such item. Stops when the work of one call is
 * spent, answering where (the last sort key it went through), or undefined when it read to the end.
 */
export async function moveBack(
  db: DynamoDb,
  pair: Pair,
  tokens: ReadonlySet<string>,
  from: { after: string | undefined; work: number },
): Promise<{ after: string | undefined; moved: number }> {
  let { after, work } = from;
  let moved = 0;
  for (;;) {
    const page = await queryItems(db, queryUnmergeScanInput(db.table, pair.targetId, after, SCAN_PAGE));
    for (const stored of page.Items ?? []) {
      const cost = 1 + (cameThrough(stored, tokens) ? MOVE_COST : 0);
      if (work < cost) return { after, moved };
      if (cost > 1) {
        await moveItem(db, pair, stored);
        moved += 1;
      }
      work -= cost;
      after = String(stored.sk);
    }
    if (!page.LastEvaluatedKey) return { after: undefined, moved };
  }
}
