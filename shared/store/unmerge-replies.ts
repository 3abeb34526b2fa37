import { isReplyItem } from '../domain/merges.js';
import { type DynamoDb, deleteItemIf, getItem, putItemIf, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { putMovedItemInput } from './params/merges.js';
import { advanceTimelineStatusInput } from './params/timeline.js';
import {
  deleteMovedReplyInput,
  linkMovedReplyInput,
  retargetReplyRecordInput,
} from './params/unmerge-replies.js';

type Pair = { sourceId: string; targetId: string };

/** More than a reply's statuses can move forward (queued, sent, delivered, read, failed). */
const STATUS_ROUNDS = 6;

/**
 * Whether a reply is still being sent (held by a send lease, or neither sent nor failed for good): its
 * sender writes to it in the target's partition, so an unmerge leaves it there.
 */
export function sendPending(stored: Record<string, unknown>): boolean {
  if (!isReplyItem(stored)) return false;
  if (stored.sendLeaseUntil !== undefined) return true;
  return stored.providerMessageId === undefined && stored.sendFailedAt === undefined;
}

/** The status of a reply as stored, for the copy to take it (forward only) when it is behind. */
async function carryStatus(db: DynamoDb, pair: Pair, item: Record<string, unknown>): Promise<void> {
  const { status, statusAt, errors } = item as { status?: unknown; statusAt?: unknown; errors?: unknown };
  if (typeof status !== 'string' || typeof statusAt !== 'string') return;
  const key = { pk: Keys.customer(pair.sourceId).pk, sk: String(item.sk) };
  const change = {
    status: status as 'sent',
    at: statusAt,
    errors: Array.isArray(errors) ? errors : undefined,
  };
  await updateItemIf(db, advanceTimelineStatusInput(db.table, key, change));
}

/**
 * Moves a sent reply of ours back to the source (its `to` is one of the source's addresses), in an order
 * a crash anywhere lets the next call complete: its provider id linked to its new place (statuses carry
 * a key naming the target: they fall back to that link), its record pointed at the source (a retried
 * request finds it there), the copy (once; a copy made by an earlier call takes the status the item has
 * now), then the item deleted from the target only while its status is the one copied: a status that
 * came between is carried over and the delete tried again.
 */
export async function moveReply(db: DynamoDb, pair: Pair, stored: Record<string, unknown>): Promise<void> {
  const { channel, providerMessageId } = stored;
  const sk = String(stored.sk);
  if (typeof channel === 'string' && typeof providerMessageId === 'string') {
    const reference = { channel: channel as 'sms', providerMessageId };
    await updateItemIf(db, linkMovedReplyInput(db.table, reference, pair, sk));
  }
  const replyId = sk.split('#').slice(2).join('#').slice('reply:'.length);
  if (!replyId.startsWith('ai:')) await updateItemIf(db, retargetReplyRecordInput(db.table, replyId, pair));
  const key = { pk: String(stored.pk), sk };
  let item: Record<string, unknown> | undefined = stored;
  for (let round = 0; item && round < STATUS_ROUNDS; round++) {
    if (!(await putItemIf(db, putMovedItemInput(db.table, item, pair)))) await carryStatus(db, pair, item);
    if (await deleteItemIf(db, deleteMovedReplyInput(db.table, key, item.statusRank))) return;
    item = (await getItem(db, getInput(db.table, key, true))).Item;
  }
}
