import type { GetCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { MISSED_CALL_AUTHOR_ID } from '../../domain/missed-call.js';
import { inboxDueShardPartition, inboxShardPartition, inboxSortKey, Keys } from '../keys.js';
import { reopenConversationInput } from './conversations.js';

/**
 * No answer sent at or after the call (`:at`): neither one that ended a wait nor a follow-up, nor a
 * first response (a reply to a new caller's conversation, which its ringing opened out of the inbox
 * with no place, records only that).
 */
const UNANSWERED_SINCE =
  '(attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :at) AND (attribute_not_exists(firstResponseAt) OR firstResponseAt < :at)';

/**
 * A missed call (its end at `at`) on an open conversation nobody waits on and nobody answered since:
 * it waits from the call, in the inbox's waiting order, listed (a new caller's conversation the ringing
 * opened out of the inbox goes in), marked `missedCallAt`. A wait running already, or an answer at or
 * after the call: it fails its condition (`missedCallMarkInput` then). Written twice, the second fails.
 */
export function missedCallWaitInput(table: string, conversationId: string, at: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression:
      'SET waitingSince = :at, gsi1sk = :sk, gsi1pk = if_not_exists(gsi1pk, :inbox), missedCallAt = :at REMOVE answeredSk',
    ConditionExpression: `#status = :open AND attribute_not_exists(waitingSince) AND ${UNANSWERED_SINCE}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':at': at,
      ':open': 'open',
      ':sk': inboxSortKey(at, conversationId),
      ':inbox': inboxShardPartition('open', conversationId),
    },
  };
}

/**
 * A missed call on an open conversation that waits already (a voicemail of the call, an earlier
 * message): the wait stays where it is, the conversation is marked (`missedCallAt`, the earliest call
 * of the wait kept) and listed if it was not. Not when an answer came at or after the call.
 */
export function missedCallMarkInput(table: string, conversationId: string, at: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression:
      'SET missedCallAt = if_not_exists(missedCallAt, :at), gsi1pk = if_not_exists(gsi1pk, :inbox)',
    ConditionExpression: `#status = :open AND attribute_exists(waitingSince) AND ${UNANSWERED_SINCE}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':at': at,
      ':open': 'open',
      ':inbox': inboxShardPartition('open', conversationId),
    },
  };
}

/**
 * A missed call filed beside the caller's last conversation, resolved before the call: reopened as by
 * hand (`reopenConversationInput`) by `MISSED_CALL_AUTHOR_ID` at the call, waiting from it, marked.
 * Resolved at or after the call (an agent dealt with it), or open already: it fails its condition.
 */
export function missedCallReopenInput(table: string, conversationId: string, at: string): UpdateCommandInput {
  const input = reopenConversationInput(table, conversationId, at, MISSED_CALL_AUTHOR_ID);
  return {
    ...input,
    UpdateExpression: input.UpdateExpression?.replace(' REMOVE ', ', missedCallAt = :now REMOVE '),
    ConditionExpression: `${input.ConditionExpression} AND resolvedAt < :now`,
  };
}

/** The caller's profile as a settle reads it (`missedCallPlace`): its open and last conversations. */
export function missedCallProfileInput(table: string, customerId: string): GetCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    ProjectionExpression: 'openConversationId, lastConversationId, lastResolvedAt',
  };
}

/**
 * A missed call that came after the reopen window of the caller's last conversation: a new conversation
 * after it (`previous`), open, waiting from the call in the inbox's waiting order, marked, on voice. Its
 * id is the one the caller's next message would open (`nextConversationId`): when that message made it
 * first, the condition fails (the settle then joins it).
 */
export function missedCallOpenInput(
  table: string,
  open: { conversationId: string; customerId: string; previous: string; at: string },
): UpdateCommandInput {
  const { conversationId, at } = open;
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression:
      'SET entity = :entity, id = :id, customerId = :customerId, createdAt = :at, stateFrom = :at, #status = :open, channel = :voice, channels = :channels, previousConversationId = :previous, waitingSince = :at, missedCallAt = :at, gsi1pk = :inbox, gsi1sk = :sk, gsi2pk = :inboxDue',
    ConditionExpression: 'attribute_not_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':entity': 'conversation',
      ':id': conversationId,
      ':customerId': open.customerId,
      ':at': at,
      ':open': 'open',
      ':voice': 'voice',
      ':channels': new Set(['voice']),
      ':previous': open.previous,
      ':inbox': inboxShardPartition('open', conversationId),
      ':sk': inboxSortKey(at, conversationId),
      ':inboxDue': inboxDueShardPartition('open', conversationId),
    },
  };
}
