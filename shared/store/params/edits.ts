import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { EDIT_WINDOW_MS } from '../../domain/edits.js';
import type { Channel, Identity } from '../../domain/envelope.js';
import { Keys, TIMELINE_PREFIX } from '../keys.js';
import { findInboundMessageInput } from './deletion.js';

/** How many timeline items of one partition an edit's look (either way) reads at most. */
export const EDIT_LOOKUP_MAX_READ = 200;

const shifted = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

/**
 * An edit's look for the message it names in one partition of its customer (keys and `editedAt`): the
 * timeline items from `EDIT_WINDOW_MS` before the edit to its time (a message comes before its edit; a
 * second more for a clock).
 */
export function findEditedMessageInput(
  table: string,
  customerId: string,
  edit: { channel: Channel; targetMessageId: string; at: string },
): QueryCommandInput {
  return findInboundMessageInput(
    table,
    customerId,
    { channel: edit.channel, providerMessageId: edit.targetMessageId },
    {
      from: `${TIMELINE_PREFIX}${shifted(edit.at, -EDIT_WINDOW_MS)}`,
      to: `${TIMELINE_PREFIX}${shifted(edit.at, 1000)}`,
      also: ['editedAt'],
      limit: EDIT_LOOKUP_MAX_READ,
    },
  );
}

/**
 * A message's look for the edits of it held in one partition of its customer (strongly consistent):
 * the timeline items from the message's time to `EDIT_WINDOW_MS` after it, filtered to held edit events
 * of its provider id that still hold their words; their text and time.
 */
export function findHeldEditsInput(
  table: string,
  customerId: string,
  message: { channel: Channel; providerMessageId: string; at: string },
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression:
      '#event = :edit AND targetMessageId = :target AND channel = :channel AND held = :true AND attribute_not_exists(deleted)',
    ProjectionExpression: '#text, #at',
    ExpressionAttributeNames: { '#event': 'event', '#text': 'text', '#at': 'at' },
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':from': `${TIMELINE_PREFIX}${message.at}`,
      ':to': `${TIMELINE_PREFIX}${shifted(message.at, EDIT_WINDOW_MS)}`,
      ':edit': 'edit',
      ':target': message.providerMessageId,
      ':channel': message.channel,
      ':true': true,
    },
    ScanIndexForward: true,
    ConsistentRead: true,
    Limit: EDIT_LOOKUP_MAX_READ,
  };
}

/**
 * Marks the identity an edit that came before its message came from (its item, which every message of
 * it reads first) with the edit's time: its messages timed before it look for edits held for them (see
 * `editsHeld`). Only while the editing customer holds it; only ever later.
 */
export function markSenderEditInput(
  table: string,
  edit: { identity: Identity; customerId: string; at: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.identity(edit.identity),
    UpdateExpression: 'SET editHeldAt = :at',
    ExpressionAttributeValues: { ':at': edit.at, ':customerId': edit.customerId },
    ConditionExpression:
      'customerId = :customerId AND (attribute_not_exists(editHeldAt) OR editHeldAt < :at)',
  };
}

/** Lets a held edit go out (`message.edited`): its message was found stored without it. */
export function releaseHeldEditInput(table: string, key: { pk: string; sk: string }): UpdateCommandInput {
  return {
    TableName: table,
    Key: key,
    UpdateExpression: 'REMOVE held',
    ConditionExpression: 'held = :true',
    ExpressionAttributeValues: { ':true': true },
  };
}

/**
 * Gives a conversation's preview an edit's words while the preview is the edited message's (its time,
 * `previewAt`, and its words as stored, `was`, or an earlier edit's of it, `previewEditOf`) and no later
 * edit gave it its words (`previewEditAt`): one conditional write; a deletion that took the preview off
 * leaves nothing to match.
 */
export function editPreviewInput(
  table: string,
  conversationId: string,
  edit: { messageAt: string; was: string; target: string; at: string; preview: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET preview = :preview, previewEditAt = :editAt, previewEditOf = :target',
    ConditionExpression:
      'previewAt = :messageAt AND (preview = :was OR previewEditOf = :target) AND (attribute_not_exists(previewEditAt) OR previewEditAt < :editAt)',
    ExpressionAttributeValues: {
      ':preview': edit.preview,
      ':was': edit.was,
      ':target': edit.target,
      ':messageAt': edit.messageAt,
      ':editAt': edit.at,
    },
  };
}
