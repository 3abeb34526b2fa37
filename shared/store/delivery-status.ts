import * as z from 'zod';
import type { Channel, StatusEnvelope } from '../domain/envelope.js';
import { decodeReplyKey, type ReplyTarget } from '../domain/reply-key.js';
import type { WatermarkReceipt } from '../domain/resolver-ports.js';
import { statusRank } from '../domain/status-rank.js';
import {
  type PlacedTimelineItem,
  type TimelineItem,
  TimelineItemSchema,
  timelineAtOf,
  withKeyFields,
} from '../domain/timeline.js';
import { loggedId, logger } from '../log.js';
import {
  type DynamoDb,
  getItem,
  isConditionFailure,
  queryItems,
  sendConditional,
  updateItem,
  updateItemIf,
  updateItemReturningIf,
} from './dynamo-client.js';
import { erasedReference } from './erased-marker.js';
import { Keys, referencedItemKey, replyTimelineKey, TIMELINE_PREFIX } from './keys.js';
import { getInput } from './params/common.js';
import { dropErasedStatusInput, parkStatusInput, unparkStatusInput } from './params/parked-status.js';
import {
  advanceMessageRefInput,
  advanceReplyStatusInput,
  advanceTimelineStatusInput,
  linkMessageRefInput,
  queryWatermarkInput,
  type StatusChange,
  statusReached,
  WATERMARK_MAX_PAGES,
  WATERMARK_MAX_PARTITIONS,
} from './params/timeline.js';

/**
 * Delivery statuses on the timeline: applied forward only to a reply's item, by its key or through the
 * message reference, and the reference linked to the item with any status that came first. A `failed`
 * status answers the reply's item, so its wait can start again.
 */

/** A message reference item: where its timeline item is, and any status it holds. */
export const MessageRefItemSchema = z.object({
  customerId: z.string().optional(),
  timelineSk: z.string().optional(),
  status: z.string().optional(),
  statusRank: z.number().optional(),
  timelineRank: z.number().optional(),
  ttl: z.number().optional(),
  erasedAt: z.string().optional(),
});

const ParkedStatusSchema = z.object({
  status: TimelineItemSchema.shape.status,
  statusAt: z.string().optional(),
  errors: TimelineItemSchema.shape.errors,
  ttl: z.number().optional(),
  erasedAt: z.string().optional(),
  deletedAt: z.string().optional(),
});

/** A stored timeline item as readers see it (its key fields restored, storage fields left out). */
export function toTimelineItem(item: Record<string, unknown>): TimelineItem {
  const { pk, sk, entity: _entity, raw: _raw, statusRank: _rank, ...rest } = item;
  return TimelineItemSchema.parse(withKeyFields(rest, { pk, sk }));
}

/** Moves a timeline item forward to a status: false when it was there or beyond (or is not there). */
function advanceTimeline(db: DynamoDb, key: { pk: string; sk: string }, change: StatusChange) {
  return updateItemIf(db, advanceTimelineStatusInput(db.table, key, change));
}

/**
 * The reply's item as a `failed` status left it, when it stands at `failed` (moved now, or by an
 * earlier delivery of the status whose conversation write may not have followed), else undefined.
 */
function failedReplyOf(item: Record<string, unknown> | undefined): PlacedTimelineItem | undefined {
  if (item?.status !== 'failed' || item.direction !== 'outbound') return undefined;
  // As stored: an AI reply keeps routing's decision in its data (readers unfold it; not needed here).
  const reply = toTimelineItem(item);
  return { item: reply, placedAt: timelineAtOf(String(item.sk), reply.id) ?? reply.at };
}

/** What a status did: `applied` false when its key named no item of its message; `failed` as `failedReplyOf`. */
type Applied = { applied: boolean; failed?: PlacedTimelineItem | undefined };

/**
 * A status that names its reply by key: one write to the reply's item (for `sent`, which the sender has
 * almost always recorded already, a read first: half a read unit instead of a write whose failed
 * condition is billed). Not applied when the key does not name an item of this message (another app's or a
 * forged key, an item erased): the status then takes the reference path, like one without a key.
 * `failed` has the write return the item (no extra call) and, found there already, the read say so.
 */
async function advanceKeyedStatus(
  db: DynamoDb,
  envelope: StatusEnvelope,
  target: ReplyTarget,
): Promise<Applied> {
  const key = replyTimelineKey({ id: target.replyId, customerId: target.customerId, at: target.at });
  const ours = (item: Record<string, unknown> | undefined) =>
    item?.providerMessageId === envelope.providerMessageId;
  if (envelope.status === 'sent') {
    const seen = (await getItem(db, getInput(db.table, key))).Item;
    if (ours(seen) && statusReached(seen, envelope.status)) return { applied: true };
  }
  const change = { status: envelope.status, at: envelope.occurredAt, errors: envelope.errors };
  const input = advanceReplyStatusInput(db.table, key, change, envelope.providerMessageId);
  const failing = envelope.status === 'failed';
  try {
    const out = await updateItem(db, failing ? { ...input, ReturnValues: 'ALL_NEW' } : input);
    return { applied: true, failed: failing ? failedReplyOf(out.Attributes) : undefined };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  // At this status or beyond already (a redelivery, a status out of order), or not this message's item.
  const item = (await getItem(db, getInput(db.table, key, true))).Item;
  if (ours(item)) return { applied: true, failed: failing ? failedReplyOf(item) : undefined };
  logger.warn('status key does not name its message; applied through the message reference', {
    channel: envelope.channel,
    providerMessageId: loggedId(envelope.providerMessageId),
  });
  return { applied: false };
}

/**
 * Applies a delivery status: by the reply's key when the provider handed it back, else (replies sent
 * before keys, channels that cannot carry one) through the message reference. Answers the reply's item
 * when the status is `failed` and the item stands at it (`failedReplyOf`), for its wait to start again.
 */
export async function advanceStatus(
  db: DynamoDb,
  envelope: StatusEnvelope,
): Promise<PlacedTimelineItem | undefined> {
  const target = decodeReplyKey(envelope.replyKey);
  if (target) {
    const keyed = await advanceKeyedStatus(db, envelope, target);
    if (keyed.applied) return keyed.failed;
  }
  return advanceReferencedStatus(db, envelope);
}

/**
 * Moves a timeline item to `failed`, answering it when it stands there: returned by the write, or read
 * (strongly) when the write found it there or beyond. Only `failed` pays for this; the others write as before.
 */
async function advanceToFailed(db: DynamoDb, key: { pk: string; sk: string }, change: StatusChange) {
  const input = advanceTimelineStatusInput(db.table, key, change);
  const moved = await updateItemReturningIf(db, { ...input, ReturnValues: 'ALL_NEW' });
  return failedReplyOf(moved ?? (await getItem(db, getInput(db.table, key, true))).Item);
}

/** Moves a message's reference, then its timeline item, forward to a delivery status (see `advanceStatus`). */
async function advanceReferencedStatus(
  db: DynamoDb,
  envelope: StatusEnvelope,
): Promise<PlacedTimelineItem | undefined> {
  const change = { status: envelope.status, at: envelope.occurredAt, errors: envelope.errors };
  let ref: z.infer<typeof MessageRefItemSchema>;
  let seen = false;
  try {
    const out = await updateItem(
      db,
      advanceMessageRefInput(db.table, envelope.channel, envelope.providerMessageId, change),
    );
    ref = MessageRefItemSchema.parse(out.Attributes);
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Already at this status or beyond. Re-read so a crash between the two writes is completed.
    const key = Keys.messageRef(envelope.channel, envelope.providerMessageId);
    const out = await getItem(db, getInput(db.table, key, true));
    ref = MessageRefItemSchema.parse(out.Item ?? {});
    seen = true;
  }
  // No message linked yet: the status is parked for it, for a while (one write more, once), unless an
  // erasure took the message (one read of its marker, on this path only): then the status goes.
  if (!ref.timelineSk) {
    if (ref.status !== undefined && ref.ttl === undefined && ref.erasedAt === undefined) {
      const { channel, providerMessageId, receivedAt } = envelope;
      if (await erasedReference(db, channel, providerMessageId)) {
        await sendConditional('DeleteItem', () =>
          db.doc.delete(dropErasedStatusInput(db.table, channel, providerMessageId)),
        );
      } else {
        await updateItemIf(db, parkStatusInput(db.table, channel, providerMessageId, receivedAt));
        logger.info('status parked: no message linked to its provider id yet', {
          channel,
          providerMessageId: loggedId(providerMessageId),
          status: envelope.status,
        });
      }
    }
    return undefined;
  }
  if (seen && ref.status !== envelope.status) return undefined;
  // The item had this status (or a later one) when it was linked: nothing to write there.
  if (ref.timelineRank !== undefined && ref.timelineRank >= statusRank(envelope.status)) return undefined;
  if (!ref.customerId || !ref.timelineSk) return undefined;
  const key = referencedItemKey({ customerId: ref.customerId, timelineSk: ref.timelineSk });
  if (envelope.status === 'failed') return advanceToFailed(db, key, change);
  await advanceTimeline(db, key, change);
  return undefined;
}

/**
 * Applies a watermark receipt (see `queryWatermarkInput`) to the outbound messages on its channel in
 * each partition (the customer's, then those merged into it; at most WATERMARK_MAX_PARTITIONS): pages
 * newest first until the first message the status already covers (every older one was moved by the
 * receipt that moved it), the partition's end, or WATERMARK_MAX_PAGES pages; a forward-only write to
 * each message behind the status. Nothing is written for a message already there (a redelivery, a
 * later receipt first), and no message reference: the receipt names no message. Answers how many moved.
 */
export async function advanceWatermark(
  db: DynamoDb,
  customerIds: readonly string[],
  receipt: WatermarkReceipt,
): Promise<number> {
  let moved = 0;
  for (const customerId of customerIds.slice(0, WATERMARK_MAX_PARTITIONS)) {
    moved += await advanceWatermarkIn(db, customerId, receipt);
  }
  return moved;
}

/** One partition of `advanceWatermark`: its pages, newest first, until the walk may stop. */
async function advanceWatermarkIn(db: DynamoDb, customerId: string, receipt: WatermarkReceipt) {
  const rank = statusRank(receipt.status);
  const change = { status: receipt.status, at: receipt.statusAt };
  let moved = 0;
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < WATERMARK_MAX_PAGES; page++) {
    const out = await queryItems(db, queryWatermarkInput(db.table, customerId, receipt, startKey));
    for (const item of out.Items ?? []) {
      if (typeof item.statusRank === 'number' && item.statusRank >= rank) return moved;
      const key = { pk: String(item.pk), sk: String(item.sk) };
      if (await advanceTimeline(db, key, change)) moved += 1;
    }
    startKey = out.LastEvaluatedKey;
    if (!startKey) break;
  }
  return moved;
}

/**
 * The time of the message a provider id names, read from its reference's timeline key (one eventually
 * consistent GetItem): undefined while no message is linked to it (a status that came first).
 */
export async function sentAt(
  db: DynamoDb,
  channel: Channel,
  providerMessageId: string,
): Promise<string | undefined> {
  const out = await getItem(db, getInput(db.table, Keys.messageRef(channel, providerMessageId)));
  const sk = MessageRefItemSchema.safeParse(out.Item ?? {}).data?.timelineSk;
  if (!sk?.startsWith(TIMELINE_PREFIX)) return undefined;
  const at = sk.slice(TIMELINE_PREFIX.length).split('#')[0];
  return at || undefined;
}

/**
 * Links an outbound message's provider id to its timeline item, applying a status that came first.
 * `sent`: the sender has just recorded `sent` on the item, so that callback need not write it again.
 * True when that status was `failed` and moved the item there (the reply failed before it was recorded).
 */
export async function linkOutbound(db: DynamoDb, item: TimelineItem, sent?: 'sent'): Promise<boolean> {
  if (!item.providerMessageId || !item.channel) return false;
  const key = Keys.timelineItem(item.customerId, item.at, item.id);
  const out = await updateItem(
    db,
    linkMessageRefInput(db.table, item.channel, item.providerMessageId, {
      customerId: item.customerId,
      timelineSk: key.sk,
      status: sent,
    }),
  );
  const ref = ParkedStatusSchema.parse(out.Attributes);
  // A status that came before the message was parked on the reference; bring it to the timeline.
  if (!ref.status) return false;
  // The reference stays as long as its message now (one write more, for a parked status only).
  if (ref.ttl !== undefined && ref.erasedAt === undefined && ref.deletedAt === undefined) {
    await updateItemIf(db, unparkStatusInput(db.table, item.channel, item.providerMessageId));
  }
  const moved = await advanceTimeline(db, key, {
    status: ref.status,
    at: ref.statusAt ?? item.at,
    errors: ref.errors,
  });
  return moved && ref.status === 'failed';
}
