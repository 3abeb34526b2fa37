import * as z from 'zod';
import type { Channel } from '../domain/envelope.js';
import { addressToken } from '../domain/identity.js';
import { type OutboundMessage, OutboundMessageSchema, type SendResult } from '../domain/outbound.js';
import { replyItem } from '../domain/replies.js';
import type { ThreadLink } from '../domain/resolver-ports.js';
import { GAVE_UP_CODE } from '../domain/send-errors.js';
import type { SendClaim } from '../domain/sender-ports.js';
import type { TimelineItem } from '../domain/timeline.js';
import { UnavailableError } from '../errors.js';
import { logger } from '../log.js';
import {
  type DynamoDb,
  getItem,
  isConditionFailure,
  putItem,
  updateItem,
  updateItemIf,
} from './dynamo-client.js';
import { Keys, replyTimelineKey } from './keys.js';
import { getInput } from './params/common.js';
import {
  claimSendInput,
  getReplyInput,
  putPlacedReplyInput,
  putReplyInput,
  releaseSendInput,
  retryClaimInput,
  settleSendInput,
} from './params/replies.js';
import { onlyForward } from './params/timeline.js';
import { isCustomerGone } from './raw-profile.js';
import { deleteLinkOf } from './thread-link-notes.js';

type Links = {
  linkOutbound(item: TimelineItem, sent?: 'sent'): Promise<boolean>;
  linkThread(channel: Channel, threadId: string, link: ThreadLink): Promise<void>;
};

/**
 * Records a reply once under its id, with the hash of the request it was made from; a retried request
 * gets the first one back, with the first request's hash for the caller to compare.
 */
async function putReply(db: DynamoDb, message: OutboundMessage, requestHash?: string) {
  try {
    await putItem(db, putReplyInput(db.table, message, requestHash));
    return { message, created: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const out = await getItem(db, getReplyInput(db.table, message.id));
  const stored = z
    .object({
      message: z.string(),
      customerId: z.string().optional(),
      textOnTimeline: z.boolean().optional(),
      requestHash: z.string().optional(),
    })
    .parse(out.Item);
  const first = JSON.parse(stored.message) as Record<string, unknown>;
  // An unmerge that gave the reply back to another customer points the record there (its item too).
  if (stored.customerId) first.customerId = stored.customerId;
  if (stored.textOnTimeline) {
    // On the first request's timeline item; if that never got written, this request's text is sent.
    const key = replyTimelineKey({
      id: String(first.id),
      customerId: String(first.customerId),
      at: String(first.at),
    });
    const onTimeline = await getItem(db, getInput(db.table, key, true));
    const text = onTimeline.Item?.text;
    first.text = typeof text === 'string' ? text : message.text;
  }
  return { message: OutboundMessageSchema.parse(first), created: false, requestHash: stored.requestHash };
}

/** Writes an AI reply's item once at its placed key; a redelivery gets the first one's time and text back. */
async function placeReply(
  db: DynamoDb,
  message: OutboundMessage,
  routed: Record<string, unknown> | undefined,
  leaseUntil: string | undefined,
) {
  try {
    await putItem(db, putPlacedReplyInput(db.table, message, routed, leaseUntil));
    return { message, created: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const out = await getItem(db, getInput(db.table, replyTimelineKey(message), true));
  const stored = z.object({ at: z.string(), text: z.string().optional() }).parse(out.Item);
  // A template's item holds the line that says it (`templateText`), not text to send beside it.
  const text = message.template ? undefined : stored.text;
  const first = { ...message, at: stored.at, ...(text !== undefined ? { text } : {}) };
  return { message: OutboundMessageSchema.parse(first), created: false };
}

/** The code of the first reason a reply failed for (`recordSendFailure`'s `errors`). */
const refusalCode = (errors: unknown): string | undefined => {
  const first = Array.isArray(errors) ? (errors[0] as { code?: unknown } | undefined) : undefined;
  return typeof first?.code === 'string' ? first.code : undefined;
};

/**
 * Where an unmerge moved a reply found missing from its message's partition: the customer its address
 * (`to`) resolves to now, when that customer's partition holds it moved from the message's customer
 * (`movedFrom`), and that customer's open conversation (the one the unmerge gave back, where their next
 * message goes), which its answer ends the wait of. A queued message names the customer it was written
 * to; a reply still being sent stays where it is, so only a reply settled before the unmerge (given up
 * after retries, its message dead-lettered) is found here. Three strong reads, on this miss only.
 */
async function movedByUnmerge(
  db: DynamoDb,
  message: OutboundMessage,
): Promise<{ movedTo: string; conversationId?: string } | undefined> {
  const holder = await getItem(db, getInput(db.table, Keys.identityByToken(addressToken(message.to)), true));
  const owner = holder.Item?.customerId;
  if (typeof owner !== 'string' || owner === message.customerId) return undefined;
  const moved = await getItem(
    db,
    getInput(db.table, replyTimelineKey({ ...message, customerId: owner }), true),
  );
  if (moved.Item?.movedFrom !== message.customerId) return undefined;
  const profile = await getItem(db, getInput(db.table, Keys.customer(owner), true));
  const open = profile.Item?.openConversationId;
  return { movedTo: owner, ...(typeof open === 'string' ? { conversationId: open } : {}) };
}

/**
 * Claims a reply for sending, or says it went out already (`sent`; `failed` when a status reported it
 * failed since), a sender recorded it failed for good (`refused`, the reason's code), someone holds it
 * (`busy`), or a provider's status recorded it sent and its sender's lease ran out before the sender did
 * (`unsettled`). A reply its sender gave up on after retries is claimed again (`retry`; a third call).
 * One not there that an unmerge moved to another customer is theirs (`movedTo`: see movedByUnmerge).
 */
async function claimSend(
  db: DynamoDb,
  message: OutboundMessage,
  now: Date,
  leaseMs: number,
): Promise<SendClaim> {
  try {
    await updateItem(db, claimSendInput(db.table, message, now, leaseMs));
    return 'claimed';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const out = await getItem(db, getInput(db.table, replyTimelineKey(message), true));
  if (!out.Item) {
    const moved = await movedByUnmerge(db, message);
    if (moved) return moved;
    throw new UnavailableError(`reply ${message.id} is not on the timeline yet`);
  }
  const { providerMessageId, sendFailedAt, sendLeaseUntil } = out.Item;
  if (typeof sendFailedAt === 'string') {
    const code = refusalCode(out.Item.errors);
    // Given up after retries (before `sendGaveUp`, by its code alone), never taken: a redrive sends it.
    const gaveUp = out.Item.sendGaveUp === true || code === GAVE_UP_CODE;
    if (!gaveUp || providerMessageId) return { refused: code };
    return (await updateItemIf(db, retryClaimInput(db.table, message, sendFailedAt, now, leaseMs)))
      ? 'retry'
      : 'busy';
  }
  if (!providerMessageId) return 'busy';
  // The sender's record takes the lease off; a status that recorded the provider id left it there.
  // Recorded, then reported failed: the sender completes what follows a failure (a crash may have cut it).
  if (typeof sendLeaseUntil !== 'string') return out.Item.status === 'failed' ? 'failed' : 'sent';
  return sendLeaseUntil < now.toISOString() ? { unsettled: String(providerMessageId) } : 'busy';
}

/**
 * Records the provider's answer: its id on the item, `sent`, the message reference (unless every status
 * will carry the reply's key), the email thread. True when a `failed` status came first (the provider
 * reported it before this write): the keyed status left the item failed (the fallback write returns it,
 * no extra call), or the reference held it and the link applied it.
 */
async function recordSent(
  db: DynamoDb,
  links: Links,
  message: OutboundMessage,
  result: SendResult,
  at: string,
) {
  const item = replyItem(message);
  const outcome = { providerMessageId: result.providerMessageId, messageIdHeader: result.messageIdHeader };
  let failedFirst = false;
  // One write: the provider's id and `sent`; a keyed status that came first (delivered, read) stays.
  try {
    await updateItem(db, onlyForward(settleSendInput(db.table, message, outcome, { status: 'sent', at })));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const out = await updateItem(db, {
      ...settleSendInput(db.table, message, outcome),
      ReturnValues: 'ALL_NEW',
    });
    failedFirst = out.Attributes?.status === 'failed';
  }
  // Statuses find the reply by its key: the reference would only be written, never read.
  if (!result.keyEchoed) {
    // The item is `sent` now: the provider's `sent` callback need not write it again.
    const linked = await links.linkOutbound({ ...item, providerMessageId: result.providerMessageId }, 'sent');
    failedFirst ||= linked;
  }
  if (result.messageIdHeader) {
    await links.linkThread(message.channel, result.messageIdHeader, {
      customerId: message.customerId,
      conversationId: message.conversationId,
    });
    await unlinkIfErased(db, message, result.messageIdHeader);
  }
  return failedFirst;
}

/**
 * The thread link just written, taken back when the customer is being erased: the erasure may have
 * passed its thread-link step while the provider had the reply (the sender checked before the send).
 * Read after the link's write, so an erasure marked after this read finds the link (its reply item
 * carries the Message-ID since the write before) and deletes it itself. One strong read per email sent.
 */
async function unlinkIfErased(db: DynamoDb, message: OutboundMessage, threadId: string): Promise<void> {
  if (!(await isCustomerGone(db, message.customerId))) return;
  await deleteLinkOf(db, Keys.messageRef(message.channel, threadId), message.customerId);
  logger.info('thread link of a reply to a customer being erased taken back', {
    replyId: message.id,
    customerId: message.customerId,
  });
}

/**
 * Replies: recorded once per request, then claimed, sent and recorded by the sender on the reply's
 * timeline item, so a redelivered reply is sent at most once.
 */
export function replyRepository(db: DynamoDb, links: Links) {
  return {
    /** Records a reply once; `created` is false when the same request came before. */
    putReply: (message: OutboundMessage, requestHash?: string) => putReply(db, message, requestHash),
    /** Whether a reply is kept under this id (one strong read of its small item). */
    async hasReply(replyId: string): Promise<boolean> {
      return (await getItem(db, getReplyInput(db.table, replyId))).Item !== undefined;
    },
    /**
     * Writes an AI reply's timeline item once at its placed key, with routing's decision on it; with
     * `leaseUntil`, holding the send lease (`created`: this call holds it).
     */
    placeReply: (
      message: OutboundMessage,
      routed: Record<string, unknown> | undefined,
      leaseUntil?: string,
    ) => placeReply(db, message, routed, leaseUntil),
    /**
     * Claims a reply for sending, for `leaseMs`: only one sender sends it, and a sender that died mid-send
     * leaves it to a redelivery once the lease is over. `sent` when it went out already; `unsettled` (with
     * the provider id) when a status recorded it while a sender that died held it.
     */
    claimSend: (message: OutboundMessage, now: Date, leaseMs: number): Promise<SendClaim> =>
      claimSend(db, message, now, leaseMs),
    /**
     * Records what the provider said: the reply's provider id (so status callbacks find it, and any status
     * that came first is applied), and for email the Message-ID we sent, so the customer's answer threads.
     */
    recordSent: (message: OutboundMessage, result: SendResult, at: string): Promise<boolean> =>
      recordSent(db, links, message, result, at),
    /** Whether the reply's customer is erased or being erased (one strong read): it is not sent. */
    customerGone: (customerId: string): Promise<boolean> => isCustomerGone(db, customerId),
    /** Lets go of a send lease this holder wrote and will not use, so the sender need not wait it out. */
    async releaseSend(message: OutboundMessage, leaseUntil: string): Promise<void> {
      try {
        await updateItem(db, releaseSendInput(db.table, message, leaseUntil));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
    /** Marks a reply failed, with the provider's reason; `gaveUp`: after retries (a redrive sends it). */
    async recordSendFailure(
      message: OutboundMessage,
      reason: { code: string; message: string },
      at: string,
      gaveUp?: boolean,
    ) {
      const change = { status: 'failed' as const, at, errors: [reason] };
      const outcome = { failedAt: at, ...(gaveUp ? { gaveUp } : {}) };
      await updateItem(db, settleSendInput(db.table, message, outcome, change));
    },
  };
}

/** The reply repository's methods. */
export type ReplyRepository = ReturnType<typeof replyRepository>;
