import type { DeleteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../domain/envelope.js';
import { Keys } from '../keys.js';

type Pair = { sourceId: string; targetId: string };

/**
 * Links a reply moved back to the source to its provider id (`MESSAGE#<channel>#<id>`), at its sort key
 * in the source's partition: statuses that carry the reply's key name the target's partition, where it
 * is no longer, and fall back to this reference (see `advanceStatus`). Written when there is none (a
 * key-echoing send links none) or it names the target; a retry, finding it named the source, is a no-op.
 */
export function linkMovedReplyInput(
  table: string,
  reference: { channel: Channel; providerMessageId: string },
  pair: Pair,
  timelineSk: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.messageRef(reference.channel, reference.providerMessageId),
    UpdateExpression: 'SET entity = :entity, customerId = :source, timelineSk = :sk',
    ConditionExpression: 'attribute_not_exists(customerId) OR customerId = :target',
    ExpressionAttributeValues: {
      ':entity': 'message_ref',
      ':source': pair.sourceId,
      ':target': pair.targetId,
      ':sk': timelineSk,
    },
  };
}

/**
 * Points a reply's record (`REPLY#<id>`, kept for its Idempotency-Key) at the source once the reply
 * moves there: a retried request then finds its item in the source's partition, sent, instead of
 * writing it again in the target's and sending it twice. No record (a reply without a key): no write.
 */
export function retargetReplyRecordInput(table: string, replyId: string, pair: Pair): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.reply(replyId),
    UpdateExpression: 'SET customerId = :source',
    ConditionExpression: 'customerId = :target',
    ExpressionAttributeValues: { ':source': pair.sourceId, ':target': pair.targetId },
  };
}

/**
 * Deletes a moved reply from the target only while its status is the one copied (`statusRank`): a
 * status written between the copy and the delete fails it, and the status is carried over first.
 */
export function deleteMovedReplyInput(
  table: string,
  key: { pk: string; sk: string },
  statusRank: unknown,
): DeleteCommandInput {
  const ranked = typeof statusRank === 'number';
  return {
    TableName: table,
    Key: key,
    ConditionExpression: ranked ? 'statusRank = :rank' : 'attribute_not_exists(statusRank)',
    ...(ranked ? { ExpressionAttributeValues: { ':rank': statusRank } } : {}),
  };
}
