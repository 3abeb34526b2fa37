import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { inboxAnsweredSortKey, inboxSortKey, Keys } from '../keys.js';

/**
 * An answer (an agent's reply or the AI's, `at` its time) reached the customer: an open conversation
 * stops waiting and moves after the waiting ones in the inbox. Only when no customer message is newer
 * than the answer (`lastInboundAt`) and no later answer was recorded: processed twice, or after a
 * newer message or answer, it fails its condition and changes nothing. Already answered, it keeps its
 * place (`answeredSk`, kept while no wait runs), so only the answer that ends a wait moves the index.
 */
export function markAnsweredInput(table: string, conversationId: string, at: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression:
      'SET answeredAt = :at, answeredSk = if_not_exists(answeredSk, :answeredSk), gsi1sk = if_not_exists(answeredSk, :answeredSk) REMOVE waitingSince',
    ConditionExpression:
      '#status = :open AND attribute_exists(gsi1pk) AND (attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt <= :at) AND (attribute_not_exists(waitingSince) OR waitingSince <= :at)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':at': at,
      ':open': 'open',
      ':answeredSk': inboxAnsweredSortKey(at, conversationId),
    },
  };
}

/**
 * The customer wrote (`at`) to an open conversation nobody is waiting on: it waits from this message,
 * in the inbox's waiting order. Not when a wait runs already (a redelivery never moves it later) nor
 * when an answer as new as the message was recorded (it answered this message).
 */
export function startWaitingInput(table: string, conversationId: string, at: string): UpdateCommandInput {
  const sortKey = inboxSortKey(at, conversationId);
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET waitingSince = :at, gsi1sk = :sk REMOVE answeredSk',
    ConditionExpression:
      '#status = :open AND attribute_exists(gsi1pk) AND attribute_not_exists(waitingSince) AND (attribute_not_exists(answeredAt) OR answeredAt < :at)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':at': at, ':open': 'open', ':sk': sortKey },
  };
}

/**
 * A redelivered first message (its profile not yet written) set a wait on a conversation an answer
 * as new as it had ended: the wait goes again, the inbox place (the answer's) never moved.
 */
export function dropAnsweredWaitInput(
  table: string,
  conversationId: string,
  since: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'REMOVE waitingSince',
    ConditionExpression: 'waitingSince = :since AND answeredAt >= :since AND attribute_exists(answeredSk)',
    ExpressionAttributeValues: { ':since': since },
  };
}
