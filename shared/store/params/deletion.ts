import type {
  DeleteCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { MessageDeletion } from '../../domain/deletion.js';
import {
  DELETION_LOOKBACK_MS,
  DELETION_MARKER_TTL_MS,
  deletionMarkedUntil,
  deletionStamp,
} from '../../domain/deletion.js';
import { placedReplyAt } from '../../domain/replies.js';
import { messageItemId } from '../../domain/resolution.js';
import { handoffNoteId, routeItemId } from '../../domain/routing/routable.js';
import { DELETION_NOTE_PREFIX, Keys, TIMELINE_END, TIMELINE_PREFIX } from '../keys.js';
import { queryPrefixInput } from './common.js';
import { markErasedMessageInput } from './privacy.js';

/** How many of a partition's timeline items a deletion's look for its message reads at most (≤ about 1 MB). */
export const DELETION_LOOKUP_MAX_READ = 1000;

/**
 * A look for a customer's inbound message by its provider id in one partition (strongly consistent,
 * newest first): the timeline items between `range.from` and `range.to` (sort keys), filtered to that
 * message; its keys and the attributes `range.also` names. `range.limit` bounds the items read (a
 * filtered query: the bound in one page where it fits, DynamoDB stopping a page at 1 MB). A deletion's
 * look and an edit's use it, each with its own window.
 */
export function findInboundMessageInput(
  table: string,
  customerId: string,
  message: { channel: string; providerMessageId: string },
  range: { from: string; to: string; also?: readonly string[]; limit: number },
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression: 'id = :id AND #type = :message AND direction = :inbound',
    ProjectionExpression: ['pk', 'sk', ...(range.also ?? [])].join(', '),
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':from': range.from,
      ':to': range.to,
      ':id': messageItemId(message),
      ':message': 'message',
      ':inbound': 'inbound',
    },
    ScanIndexForward: false,
    ConsistentRead: true,
    Limit: range.limit,
  };
}

/**
 * A deletion's look for its message in one partition of its customer (keys only): the timeline items
 * from `DELETION_LOOKBACK_MS` before the deletion on. Paged with `DELETION_LOOKUP_MAX_READ` as its bound.
 */
export function findDeletedMessageInput(
  table: string,
  customerId: string,
  deletion: MessageDeletion,
): QueryCommandInput {
  const from = new Date(Date.parse(deletion.at) - DELETION_LOOKBACK_MS).toISOString();
  return findInboundMessageInput(
    table,
    customerId,
    { channel: deletion.channel, providerMessageId: deletion.targetMessageId },
    { from: `${TIMELINE_PREFIX}${from}`, to: TIMELINE_END, limit: DELETION_LOOKUP_MAX_READ },
  );
}

/** Takes an item's words, files, data and raw payload off it, keeping its time and ids, where `only` holds. */
function redactItemInput(
  table: string,
  key: { pk: string; sk: string },
  deletedAt: string,
  only: { condition: string; names: Record<string, string>; values: Record<string, unknown> },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: key,
    UpdateExpression:
      'SET deleted = :true, deletedAt = if_not_exists(deletedAt, :at) REMOVE #text, attachments, #data, #raw',
    ExpressionAttributeNames: { '#text': 'text', '#data': 'data', '#raw': 'raw', ...only.names },
    ExpressionAttributeValues: { ':true': true, ':at': deletedAt, ...only.values },
    ConditionExpression: `attribute_exists(pk) AND ${only.condition}`,
  };
}

/**
 * Takes a deleted message's words, files and data (and a raw payload kept on it) off its timeline item,
 * keeping the item, its time and ids: one write on its key, only on an inbound message of the customer's
 * partition the reference names. A redelivered deletion writes the same again (`deletedAt` first kept).
 */
export function redactTimelineItemInput(
  table: string,
  key: { pk: string; sk: string },
  deletedAt: string,
): UpdateCommandInput {
  return redactItemInput(table, key, deletedAt, {
    condition: '#type = :message AND direction = :inbound',
    names: { '#type': 'type' },
    values: { ':message': 'message', ':inbound': 'inbound' },
  });
}

/** How many edits of one message a deletion takes the words out of, per partition (WhatsApp allows edits for 15 minutes). */
export const DELETION_EDITS_MAX = 100;

/**
 * A deletion's look for the edits of its message in one partition of its customer (strongly
 * consistent): the timeline items from the message's time on (an edit comes after what it edits),
 * oldest first, filtered to edit events of that provider id; with what routing keyed on each. Paged
 * with `DELETION_LOOKUP_MAX_READ` as its bound, as the look for the message is.
 */
export function findEditsInput(
  table: string,
  customerId: string,
  message: { channel: string; targetMessageId: string; at: string },
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression: '#event = :edit AND targetMessageId = :target AND channel = :channel',
    ProjectionExpression: 'pk, sk, customerId, #at, id',
    ExpressionAttributeNames: { '#event': 'event', '#at': 'at' },
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':from': `${TIMELINE_PREFIX}${message.at}`,
      ':to': TIMELINE_END,
      ':edit': 'edit',
      ':target': message.targetMessageId,
      ':channel': message.channel,
    },
    ScanIndexForward: true,
    ConsistentRead: true,
    Limit: DELETION_LOOKUP_MAX_READ,
  };
}

/**
 * Takes the words an edit of a deleted message holds (the text it was edited to, a raw payload kept on
 * it) off its event item, keeping the item, its time and ids, `deleted: true`: one write on its key.
 */
export function redactEditInput(
  table: string,
  key: { pk: string; sk: string },
  targetMessageId: string,
  deletedAt: string,
): UpdateCommandInput {
  return redactItemInput(table, key, deletedAt, {
    condition: '#event = :edit AND targetMessageId = :target',
    names: { '#event': 'event' },
    values: { ':edit': 'edit', ':target': targetMessageId },
  });
}

/**
 * Records the deletion on the provider reference of a message it redacted (linked: the reference is
 * the message's, so no `ttl`): an edit of it that comes later reads it there and is stored without its
 * words, as a message that comes after its deletion is.
 */
export function markLinkedDeletedInput(table: string, deletion: MessageDeletion): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.messageRef(deletion.channel, deletion.targetMessageId),
    UpdateExpression:
      'SET deletedAt = if_not_exists(deletedAt, :at), deletedBy = if_not_exists(deletedBy, :by)',
    ExpressionAttributeValues: { ':at': deletionStamp(deletion), ':by': deletion.customerId },
    ConditionExpression: 'attribute_exists(timelineSk) AND attribute_not_exists(erasedAt)',
  };
}

/**
 * Marks the message's provider reference deleted when no timeline item is linked to it yet (the
 * deletion came first): the message, when it comes, links the reference, reads the mark and is stored
 * redacted. Kept a week (`ttl`) for a message that never comes; refused once a message is linked (then
 * the item is redacted instead) or an erasure marked it.
 */
export function markDeletedInput(table: string, deletion: MessageDeletion): UpdateCommandInput {
  const expires = markExpiry(deletion);
  return {
    TableName: table,
    Key: Keys.messageRef(deletion.channel, deletion.targetMessageId),
    UpdateExpression:
      'SET entity = if_not_exists(entity, :entity), deletedAt = if_not_exists(deletedAt, :at), deletedBy = if_not_exists(deletedBy, :by), #ttl = if_not_exists(#ttl, :ttl)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: {
      ':entity': 'message_ref',
      ':at': deletionStamp(deletion),
      ':by': deletion.customerId,
      ':ttl': expires,
    },
    ConditionExpression: 'attribute_not_exists(timelineSk) AND attribute_not_exists(erasedAt)',
  };
}

/** The mark's expiry (`ttl`, in seconds): a week after the deletion. */
const markExpiry = (deletion: MessageDeletion) =>
  Math.ceil((Date.parse(deletion.at) + DELETION_MARKER_TTL_MS) / 1000);

/**
 * Notes under the deleting customer the reference their deletion marks (written before the mark, kept
 * as long): the mark names them (`deletedBy`) on a key only the message's id leads to, so their erasure
 * reads these to take it (see `forgetDeletionMarkInputs`).
 */
export function putDeletionNoteInput(table: string, deletion: MessageDeletion): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...Keys.deletionNote(deletion.customerId, deletion.channel, deletion.targetMessageId),
      entity: 'deletion_note',
      channel: deletion.channel,
      providerMessageId: deletion.targetMessageId,
      ttl: markExpiry(deletion),
    },
  };
}

/** A page of the notes of the references a customer's deletions marked (`putDeletionNoteInput`). */
export function queryDeletionNotesInput(table: string, customerId: string, limit: number): QueryCommandInput {
  return { ...queryPrefixInput(table, Keys.customer(customerId).pk, DELETION_NOTE_PREFIX), Limit: limit };
}

/**
 * What an erasure does to a reference the erased customer's deletion marked: still waiting for its
 * message, it gives way to an erased message's marker (`marker`, put first, then `unlinked` deletes the
 * reference: naming nobody, the message, if it comes, is dropped as seen); linked since to an item, only
 * the mark's `deletedBy` and `deletedAt` go (`linked`: the item is the erased customer's, and its
 * reference becomes a marker with their timeline, or another's, and stays).
 */
export function forgetDeletionMarkInputs(
  table: string,
  key: { pk: string; sk: string },
  customerId: string,
  now: string,
): { marker: PutCommandInput; unlinked: DeleteCommandInput; linked: UpdateCommandInput } {
  return {
    marker: markErasedMessageInput(table, key, now),
    unlinked: {
      TableName: table,
      Key: key,
      ConditionExpression: 'attribute_not_exists(timelineSk) AND deletedBy = :by',
      ExpressionAttributeValues: { ':by': customerId },
    },
    linked: {
      TableName: table,
      Key: key,
      UpdateExpression: 'REMOVE deletedBy, deletedAt',
      ConditionExpression: 'deletedBy = :by',
      ExpressionAttributeValues: { ':by': customerId },
    },
  };
}

/**
 * Marks the identity the deletion came from (its item, which every message of it reads first) with when
 * the deletion's mark expires: its next WhatsApp, Instagram or Messenger messages link their reference
 * and so read the mark (see `deletionPending`). Only while the deleting customer holds it; only ever later.
 */
export function markSenderDeletionInput(table: string, deletion: MessageDeletion): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.identity(deletion.identity),
    UpdateExpression: 'SET deletionMarkedUntil = :until',
    ExpressionAttributeValues: {
      ':until': deletionMarkedUntil(deletion.at),
      ':customerId': deletion.customerId,
    },
    ConditionExpression:
      'customerId = :customerId AND (attribute_not_exists(deletionMarkedUntil) OR deletionMarkedUntil < :until)',
  };
}

/** What a hand-off note written for a message the customer deleted says instead of its summary. */
export const REDACTED_HANDOFF_NOTE =
  'Hand-off note taken out: the customer deleted the message it was written for.';
/** What the routing decision of a deleted message says instead of its detail (which may quote it). */
export const REDACTED_ROUTED_DETAIL = 'taken out: the customer deleted the message';

/**
 * What routing wrote from a message that its customer deleted, by key (both are keyed on the message):
 * the hand-off note (placed just after it, `note:handoff:<id>`: its summary quotes the message, its first
 * line may too, and the AI's answer held back answered it) gets a fixed text; the `routed` decision
 * (`route:<id>`, at the message's time) loses its detail (the words that asked for a person, a topic's
 * keyword). Each a no-op where there is none (the message was not routed, or was answered).
 */
export function redactRoutingInputs(
  table: string,
  message: { customerId: string; at: string; id: string },
  deletedAt: string,
): UpdateCommandInput[] {
  const { customerId, at, id } = message;
  return [
    {
      TableName: table,
      Key: Keys.timelineItem(customerId, placedReplyAt(at), `note:${handoffNoteId(id)}`),
      UpdateExpression: 'SET #text = :text, redactedAt = if_not_exists(redactedAt, :at)',
      ConditionExpression: 'attribute_exists(pk) AND #type = :note',
      ExpressionAttributeNames: { '#text': 'text', '#type': 'type' },
      ExpressionAttributeValues: { ':text': REDACTED_HANDOFF_NOTE, ':at': deletedAt, ':note': 'note' },
    },
    {
      TableName: table,
      Key: Keys.timelineItem(customerId, at, routeItemId(id)),
      UpdateExpression: 'SET #data.#detail = :detail',
      ConditionExpression: 'attribute_exists(pk) AND #event = :routed AND attribute_exists(#data.#detail)',
      ExpressionAttributeNames: { '#data': 'data', '#detail': 'detail', '#event': 'event' },
      ExpressionAttributeValues: { ':detail': REDACTED_ROUTED_DETAIL, ':routed': 'routed' },
    },
  ];
}

/**
 * Takes a deleted message's preview and its time off its conversation, only while the preview is that
 * message's: its words, or an edit's of it (`previewEditOf`, its provider id: see `editPreviewInput`).
 */
export function clearPreviewInput(
  table: string,
  conversationId: string,
  preview: string,
  providerMessageId?: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'REMOVE preview, previewAt, previewEditAt, previewEditOf',
    ExpressionAttributeValues: {
      ':preview': preview,
      ...(providerMessageId ? { ':message': providerMessageId } : {}),
    },
    ConditionExpression: providerMessageId
      ? '(preview = :preview OR previewEditOf = :message)'
      : 'preview = :preview',
  };
}
