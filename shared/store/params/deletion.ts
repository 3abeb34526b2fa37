import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { MessageDeletion } from '../../domain/deletion.js';
import { DELETION_MARKER_TTL_MS } from '../../domain/deletion.js';
import { Keys } from '../keys.js';

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
  return {
    TableName: table,
    Key: key,
    UpdateExpression:
      'SET deleted = :true, deletedAt = if_not_exists(deletedAt, :at) REMOVE #text, attachments, #data, #raw',
    ExpressionAttributeNames: { '#text': 'text', '#data': 'data', '#raw': 'raw', '#type': 'type' },
    ExpressionAttributeValues: {
      ':true': true,
      ':at': deletedAt,
      ':message': 'message',
      ':inbound': 'inbound',
    },
    ConditionExpression: 'attribute_exists(pk) AND #type = :message AND direction = :inbound',
  };
}

/**
 * Marks the message's provider reference deleted when no timeline item is linked to it yet (the
 * deletion came first): the message, when it comes, links the reference, reads the mark and is stored
 * redacted. Kept a week (`ttl`) for a message that never comes; refused once a message is linked (then
 * the item is redacted instead) or an erasure marked it.
 */
export function markDeletedInput(table: string, deletion: MessageDeletion): UpdateCommandInput {
  const expires = Math.ceil((Date.parse(deletion.at) + DELETION_MARKER_TTL_MS) / 1000);
  return {
    TableName: table,
    Key: Keys.messageRef(deletion.channel, deletion.targetMessageId),
    UpdateExpression:
      'SET entity = if_not_exists(entity, :entity), deletedAt = if_not_exists(deletedAt, :at), deletedBy = if_not_exists(deletedBy, :by), #ttl = if_not_exists(#ttl, :ttl)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: {
      ':entity': 'message_ref',
      ':at': deletion.at,
      ':by': deletion.customerId,
      ':ttl': expires,
    },
    ConditionExpression: 'attribute_not_exists(timelineSk) AND attribute_not_exists(erasedAt)',
  };
}

/** Takes a deleted message's preview and its time off its conversation, only while the preview is that message's. */
export function clearPreviewInput(
  table: string,
  conversationId: string,
  preview: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'REMOVE preview, previewAt',
    ExpressionAttributeValues: { ':preview': preview },
    ConditionExpression: 'preview = :preview',
  };
}
