import * as z from 'zod';
import { isDeletable, type MessageDeletion, redactedMessage } from '../domain/deletion.js';
import type { Channel, Envelope, StatusEnvelope } from '../domain/envelope.js';
import type { RawPayload } from '../domain/privacy.js';
import { onceReference } from '../domain/resolution.js';
import type {
  MailClaim,
  OncePlacement,
  PlacedItem,
  SentReference,
  ThreadLink,
  WatermarkReceipt,
} from '../domain/resolver-ports.js';
import { type PlacedTimelineItem, type TimelineItem, timelineAtOf } from '../domain/timeline.js';
import { getItems } from './batch-get.js';
import {
  advanceStatus,
  advanceWatermark,
  linkOutbound,
  MessageRefItemSchema,
  sentAt,
} from './delivery-status.js';
import {
  type DynamoDb,
  getItem,
  putItemIf,
  queryItems,
  updateItem,
  updateItemIf,
  updateItemReturningIf,
} from './dynamo-client.js';
import { referenceFromErased } from './erased-holder.js';
import { erasedReference } from './erased-marker.js';
import { Keys, RAW_PREFIX } from './keys.js';
import { lastInbound } from './last-inbound.js';
import { applyDeletion, deletionFirst } from './message-deletion.js';
import { isEdit, placeEdit } from './message-edit.js';
import { queryAll } from './paging.js';
import { getInput } from './params/common.js';
import { queryRecentTimelineInput } from './params/conversation-state.js';
import {
  claimMailInput,
  linkMessageRefInput,
  linkThreadInput,
  putProviderEventInput,
  putRawPayloadInput,
  putTimelineItemInput,
  queryRawPayloadsInput,
  rawAside,
} from './params/timeline.js';
import { closeWhatsAppWindowInput } from './params/whatsapp-window.js';
import { echoOfPendingReply } from './pending-echo.js';
import { findSentMessage } from './sent-message.js';
import { timelineBackPage } from './timeline-back-page.js';
import { timelineItemReads } from './timeline-item-reads.js';
import { inTimelineOrder } from './timeline-order.js';
import { timelinePage, toTimelineRows } from './timeline-page.js';

const ThreadLinkItemSchema = z.object({ customerId: z.string(), conversationId: z.string() });

type Partitions = {
  mergedPartitions(customerId: string, options?: { consistent?: boolean }): Promise<string[]>;
};

/**
 * The `limit` most recent items of the union of the partitions, oldest first, each with the time in its
 * key: one bounded query per partition (newest first, no paging, raw payloads left out), merged and cut
 * to `limit`.
 */
async function recentPlacedTimeline(
  db: DynamoDb,
  partitions: readonly string[],
  limit: number,
): Promise<PlacedTimelineItem[]> {
  const pages = await Promise.all(
    partitions.map((id) => queryItems(db, queryRecentTimelineInput(db.table, id, limit))),
  );
  const newest = pages
    .flatMap((out, i) =>
      (out.Items ?? []).map((item) => ({ pk: Keys.customer(partitions[i] ?? '').pk, ...item })),
    )
    .flatMap((item) => toTimelineRows(item).reverse())
    .sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0))
    .slice(0, limit);
  return inTimelineOrder(newest.reverse()).map(({ item, placedAt }) => ({ item, placedAt }));
}

/** Every raw payload of the customer and those merged with them: those kept aside and those inline. */
async function rawPayloads(db: DynamoDb, customers: Partitions, customerId: string): Promise<RawPayload[]> {
  const partitions = await customers.mergedPartitions(customerId);
  const all = await Promise.all(
    partitions.flatMap((id) =>
      (['aside', 'inline'] as const).map(async (where) =>
        (await queryAll(db, queryRawPayloadsInput(db.table, id, where))).map((item) => {
          const sk = String(item.sk);
          return {
            customerId: id,
            timelineSk: sk.startsWith(RAW_PREFIX) ? sk.slice(RAW_PREFIX.length) : sk,
            raw: String(item.raw),
          };
        }),
      ),
    ),
  );
  return all.flat().sort((a, b) => (a.timelineSk < b.timelineSk ? -1 : a.timelineSk > b.timelineSk ? 1 : 0));
}

async function putOnce(db: DynamoDb, item: TimelineItem, raw: unknown, arrival?: number): Promise<boolean> {
  const aside = rawAside(raw);
  if (aside !== undefined) await putItemIf(db, putRawPayloadInput(db.table, item, aside));
  return putItemIf(db, putTimelineItemInput(db.table, item, raw, arrival));
}

/**
 * The partition merged into the customer's timeline (read strongly) that holds the item's key, if one
 * does: an earlier delivery put it there by its key alone, before a merge moved its customer. The key is
 * read in every merged partition with one BatchGetItem, however many merges there were.
 */
async function mergedHolder(db: DynamoDb, customers: Partitions, item: TimelineItem) {
  const partitions = await customers.mergedPartitions(item.customerId, { consistent: true });
  const others = partitions.filter((id) => id !== item.customerId);
  const keyIn = (id: string) => Keys.timelineItem(id, item.at, item.id);
  const found = await getItems(db, others.map(keyIn), { consistent: true });
  const held = new Set(found.map((stored) => stored.pk));
  return others.find((id) => held.has(keyIn(id).pk));
}

/**
 * Writes a provider event's item once, whenever it is delivered (`once`: see OncePlacement). By its key
 * alone when that follows from the provider. Else the provider reference records the first delivery's
 * place (first write wins; for `merged`, the merged partition that holds it already, if one does) and
 * answers the place it holds: a later delivery writes (or, after a crash, completes) that same item, so
 * the first-seen time is kept and nothing is doubled; a deletion of the message that came first marked
 * it, and the message is stored without its words. An outbound message whose reference names another
 * item is the echo of one of our replies: nothing is written (`echoOfReply`).
 */
async function placeTimelineItem(
  db: DynamoDb,
  customers: Partitions,
  item: TimelineItem,
  raw: unknown,
  once: OncePlacement = 'reference',
  arrival?: number,
): Promise<PlacedItem> {
  const reference = once === 'key' ? undefined : onceReference(item);
  let placed = item;
  let kept = raw;
  if (reference) {
    const holder = once === 'merged' ? await mergedHolder(db, customers, item) : undefined;
    const target = {
      customerId: holder ?? item.customerId,
      timelineSk: Keys.timelineItem(item.customerId, item.at, item.id).sk,
    };
    const linked = await updateItemReturningIf(
      db,
      linkMessageRefInput(db.table, reference.channel, reference.id, target, { unlessErased: true }),
    );
    // A provider's retry of a message an erasure took: seen already, nothing written.
    if (!linked) return { written: false, customerId: item.customerId, at: item.at, erased: true };
    // Written under a customer erased since (a delivery begun before the erasure): moved to this one.
    const ref = MessageRefItemSchema.parse(await referenceFromErased(db, reference, linked, target));
    const at = ref.timelineSk ? timelineAtOf(ref.timelineSk, item.id) : undefined;
    if (at !== undefined && ref.customerId) placed = { ...item, customerId: ref.customerId, at };
    if (isEdit(placed)) {
      const put = (edit: TimelineItem, deletedAt?: string) =>
        deletedAt
          ? putOnce(db, redactedMessage(edit, deletedAt), undefined, arrival)
          : putOnce(db, edit, raw, arrival);
      return placeEdit(db, customers, placed, put);
    }
    const deletedAt = isDeletable(item)
      ? await deletionFirst(customers, linked, placed.customerId)
      : undefined;
    if (deletedAt) [placed, kept] = [redactedMessage(placed, deletedAt), undefined];
    // Linked to an item of another id: our own reply, whose echo this is (Messenger, Instagram).
    if (at === undefined && ref.timelineSk && ref.customerId && item.direction === 'outbound') {
      return { written: false, customerId: ref.customerId, at: item.at, echoOfReply: true };
    }
    // An Instagram echo that claimed the reference itself may have overtaken our sender.
    if (
      item.channel === 'instagram' &&
      item.direction === 'outbound' &&
      ref.timelineSk === target.timelineSk
    ) {
      const replyKey = await echoOfPendingReply(db, item, target.timelineSk);
      if (replyKey)
        return { written: false, customerId: item.customerId, at: item.at, echoOfReply: true, replyKey };
    }
  }
  const written = await putOnce(db, placed, kept, arrival);
  return { written, customerId: placed.customerId, at: placed.at, deletedAt: placed.deletedAt };
}

/**
 * The timeline: items written once, read a page at a time across merged customers, and the message
 * and thread references that carry delivery statuses and email threads to them; raw provider events.
 */
export function timelineRepository(db: DynamoDb, customers: Partitions) {
  return {
    /** Writes a timeline item once; false when it was there already. */
    putTimelineItem: (item: TimelineItem, raw: unknown): Promise<boolean> => putOnce(db, item, raw),
    /** Writes a provider event's item once, at the first delivery's place, whenever it comes again. */
    placeTimelineItem: (item: TimelineItem, raw: unknown, once?: OncePlacement, arrival?: number) =>
      placeTimelineItem(db, customers, item, raw, once, arrival),
    /** Every raw payload of the customer and those merged with them, by timeline item (for export). */
    rawPayloads: (customerId: string) => rawPayloads(db, customers, customerId),
    // One item, read strongly, by its key (`getTimelineItem`) or by its id (`customerItem`).
    ...timelineItemReads(db, customers),
    /** One page of the customer's timeline, oldest first (from a time, when `from` is given). */
    timeline: (
      customerId: string,
      page: { limit: number; cursor?: string | undefined; from?: string | undefined },
    ) => timelinePage(db, customers, customerId, page),
    /** One page of the customer's timeline from its end (newest page first), oldest first within it. */
    timelineBack: (customerId: string, page: { limit: number; cursor?: string | undefined }) =>
      timelineBackPage(db, customers, customerId, page),
    /** The most recent items of the union of these partitions (at most `limit`), oldest first. */
    recentTimeline: async (partitions: readonly string[], limit: number) =>
      (await recentPlacedTimeline(db, partitions, limit)).map((row) => row.item),
    /** The same, each item with the time in its key (where an AI reply is placed, not its `at`). */
    recentPlacedTimeline: (partitions: readonly string[], limit: number) =>
      recentPlacedTimeline(db, partitions, limit),
    /** The customer's latest inbound message on a channel (of email, their own), in a conversation if named. */
    lastInbound: (customerId: string, channel: Channel, conversationId?: string, upTo?: string) =>
      lastInbound(db, customerId, channel, conversationId, upTo),
    /**
     * Applies a delivery status, by the reply's key when it carries one; it only ever moves forward.
     * Answers the reply's item when a `failed` status left it failed (see `advanceStatus`).
     */
    advanceStatus: (envelope: StatusEnvelope) => advanceStatus(db, envelope),
    /** WhatsApp failed a reply written at `at` as outside the 24-hour window: template-only until they write. */
    async closeWhatsAppWindow(customerId: string, at: string): Promise<void> {
      await updateItemIf(db, closeWhatsAppWindowInput(db.table, customerId, at));
    },
    /** Moves the customer's outbound messages on a channel at or before a watermark forward (a bounded read). */
    advanceWatermark: (customerIds: readonly string[], receipt: WatermarkReceipt) =>
      advanceWatermark(db, customerIds, receipt),
    /** The time in the timeline key of the message a provider id names (its reference, one read). */
    sentAt: (channel: Channel, providerMessageId: string) => sentAt(db, channel, providerMessageId),
    /** Links an outbound message's provider id to its timeline item (`sent`: the sender recorded it there). */
    linkOutbound: (item: TimelineItem, sent?: 'sent'): Promise<boolean> => linkOutbound(db, item, sent),
    /** Keeps the raw provider event once. */
    async putProviderEvent(envelope: Envelope): Promise<void> {
      await putItemIf(db, putProviderEventInput(db.table, envelope));
    },
    /** Redacts the stored message a customer deleted, or marks its reference for it (see applyDeletion). */
    deleteMessage: (deletion: MessageDeletion) => applyDeletion(db, customers, deletion),
    /** Whether an erasure left its marker on a provider reference (the event is a retry of an erased one). */
    erasedMessage: (channel: Channel, id: string) => erasedReference(db, channel, id, true),
    sentMessage: (sent: SentReference) => findSentMessage(db, sent),
    /** The conversation the first known thread id (email Message-ID) belongs to. */
    async findThread(channel: Channel, threadIds: readonly string[]): Promise<ThreadLink | undefined> {
      for (const id of threadIds) {
        const out = await getItem(db, getInput(db.table, Keys.messageRef(channel, id), true));
        const link = ThreadLinkItemSchema.safeParse(out.Item);
        if (link.success) return link.data;
      }
      return undefined;
    },
    /** Claims an email's Message-ID for the first envelope with it; the claim kept. */
    async claimMail(threadId: string, claim: MailClaim): Promise<MailClaim> {
      const out = await updateItem(db, claimMailInput(db.table, threadId, claim));
      const kept = out.Attributes ?? {};
      const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
      return {
        envelopeId: text(kept.mailEnvelopeId, claim.envelopeId),
        customerId: text(kept.mailCustomerId, claim.customerId),
        digest: text(kept.mailDigest, claim.digest),
      };
    },
    /** Records the conversation a thread id belongs to; the first link wins. */
    async linkThread(channel: Channel, threadId: string, link: ThreadLink): Promise<void> {
      await updateItem(db, linkThreadInput(db.table, channel, threadId, link));
    },
  };
}

/** The timeline repository's methods. */
export type TimelineRepository = ReturnType<typeof timelineRepository>;
