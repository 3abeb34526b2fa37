import { type DynamoDb, putItem, queryItems, updateItemIf } from './dynamo-client.js';
import { closeMergedWindowInput, putMergedWindowInput, queryMergedWindowsInput } from './params/live.js';
import type { Pair } from './unmerge-move.js';

/**
 * How long after an unmerge's last call the live log may still write what came through the source
 * under the target's id: the change feed's lag (a batch retried, the events function throttled), as
 * long as the erasure's second pass waits.
 */
const CHANGE_FEED_LAG_MS = 5 * 60 * 1000;

/**
 * Notes under the source the time it was merged into the target (see `putMergedWindowInput`), open:
 * at the unmerge's first call, while the source still names the time it was merged at. A retry of
 * that call writes the same note again.
 */
export async function openMergedWindow(db: DynamoDb, pair: Pair, mergedAt: unknown): Promise<void> {
  if (typeof mergedAt !== 'string' || Number.isNaN(Date.parse(mergedAt))) return;
  await putItem(db, putMergedWindowInput(db.table, pair, mergedAt));
}

/**
 * Closes the source's open windows under the target at the unmerge's last call (`now`), with the change
 * feed's lag: one query of the source's windows (a handful) and a conditional write each open one.
 */
export async function closeMergedWindows(db: DynamoDb, pair: Pair, now: string): Promise<void> {
  const out = await queryItems(db, queryMergedWindowsInput(db.table, pair.sourceId));
  for (const note of out.Items ?? []) {
    if (note.customerId !== pair.targetId || note.toSeq !== undefined) continue;
    const key = { pk: String(note.pk), sk: String(note.sk) };
    await updateItemIf(db, closeMergedWindowInput(db.table, key, Date.parse(now) + CHANGE_FEED_LAG_MS));
  }
}
