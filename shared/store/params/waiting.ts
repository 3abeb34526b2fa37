import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { DELIVERY_AUTHOR_ID } from '../../domain/waiting.js';
import { inboxAnsweredSortKey, inboxShardPartition, inboxSortKey, Keys } from '../keys.js';
import { reopenConversationInput } from './conversations.js';
import { FIRST_RESPONSE_WAIT, markFirstResponseInput, NO_WAIT } from './metrics.js';

/** What ends a wait: open, no answer as new recorded, and no customer message (nor wait) newer than it. */
const ANSWERS =
  '#status = :open AND attribute_exists(gsi1sk) AND (attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt <= :at) AND (attribute_not_exists(waitingSince) OR waitingSince <= :at)';
/** Ends the wait and moves the inbox place after the waiting ones (kept as `answeredSk` while no wait runs). */
const ANSWER =
  'answeredAt = :at, answeredSk = if_not_exists(answeredSk, :answeredSk), gsi1sk = if_not_exists(answeredSk, :answeredSk)';

/**
 * An answer (an agent's reply or the AI's, `at` its time) reached the customer: an open conversation
 * stops waiting and moves after the waiting ones in the inbox. Only when no customer message is newer
 * than the answer (`lastInboundAt`) and no later answer was recorded: processed twice, or after a
 * newer message or answer, it fails its condition and changes nothing. Already answered, it keeps its
 * place (`answeredSk`, kept while no wait runs), so only the answer that ends a wait moves the index.
 * `gsi1sk` is kept whether or not the conversation is listed yet (`gsi1pk`, see `listInInboxInput`).
 */
export function markAnsweredInput(table: string, conversationId: string, at: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET ${ANSWER} REMOVE waitingSince`,
    ConditionExpression: ANSWERS,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':at': at,
      ':open': 'open',
      ':answeredSk': inboxAnsweredSortKey(at, conversationId),
    },
  };
}

/** The AI's first response: its time, and the time it answers at (its place when later). */
type FirstAnswer = { at: string; answered: string };

/**
 * The AI's first response (`at`, answering at `answered`) in one write: the first-response mark, the
 * answer that ends the wait, and the conversation's inbox entry, which its opening message's touch left
 * to this write (`listLater`): placed once, already answered. Under `markAnsweredInput`'s conditions
 * and the first response's; answers the item before (`waitingSince`: the first response's wait).
 */
export function firstAnswerInput(
  table: string,
  conversationId: string,
  answer: FirstAnswer,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET firstResponseAt = :first, ${FIRST_RESPONSE_WAIT}, ${ANSWER}, gsi1pk = if_not_exists(gsi1pk, :inbox) REMOVE waitingSince`,
    ConditionExpression: `attribute_not_exists(firstResponseAt) AND ${ANSWERS}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':first': answer.at,
      ':noWait': NO_WAIT,
      ':at': answer.answered,
      ':open': 'open',
      ':answeredSk': inboxAnsweredSortKey(answer.answered, conversationId),
      ':inbox': inboxShardPartition('open', conversationId),
    },
    ReturnValues: 'ALL_OLD',
  };
}

/**
 * The AI's first response that ends no wait (the customer wrote since, or it is not open): the mark,
 * and the inbox entry at the place the conversation keeps (`gsi1sk`), if it has none yet (resolving
 * and snoozing place their own). Answers the conversation as written.
 */
export function firstResponseListedInput(table: string, id: string, at: string): UpdateCommandInput {
  const mark = markFirstResponseInput(table, id, at);
  return {
    ...mark,
    UpdateExpression: `${mark.UpdateExpression}, gsi1pk = if_not_exists(gsi1pk, :inbox)`,
    ExpressionAttributeValues: {
      ...mark.ExpressionAttributeValues,
      ':inbox': inboxShardPartition('open', id),
    },
  };
}

/**
 * The conversation's inbox entry, at the place it keeps (`gsi1sk`: waiting or answered), when routing
 * did not place it (a hand-off, or routing failed): only an open conversation with no entry yet.
 */
export function listInInboxInput(table: string, conversationId: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET gsi1pk = :inbox',
    ConditionExpression: '#status = :open AND attribute_not_exists(gsi1pk) AND attribute_exists(gsi1sk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':open': 'open', ':inbox': inboxShardPartition('open', conversationId) },
  };
}

/**
 * The customer wrote (`at`) to an open conversation nobody is waiting on: it waits from this message,
 * in the inbox's waiting order. Not when a wait runs already (a redelivery never moves it later) nor
 * when an answer as new as the message was recorded (it answered this message), or, with `receivedAt`
 * (our first receipt, later than `at`), made after we had it (an answer made before did not). With `failed` (an
 * answer that never went out, `at` the message it answered): the wait it ended, if it is the last
 * answer recorded, starts again from that message (also before a wait a later message started).
 */
export function startWaitingInput(
  table: string,
  conversationId: string,
  at: string,
  failed?: string,
  receivedAt?: string,
): UpdateCommandInput {
  const sortKey = inboxSortKey(at, conversationId);
  const crossed = receivedAt !== undefined && receivedAt > at;
  const fresh = `attribute_not_exists(waitingSince) AND (attribute_not_exists(answeredAt) OR answeredAt < ${crossed ? ':received' : ':at'})`;
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET waitingSince = :at, gsi1sk = :sk REMOVE answeredSk${failed ? ', answeredAt' : ''}`,
    ConditionExpression: `#status = :open AND attribute_exists(gsi1sk) AND ${failed ? `(answeredAt = :failed OR (${fresh}))` : fresh}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':at': at,
      ':open': 'open',
      ':sk': sortKey,
      ...(failed ? { ':failed': failed } : {}),
      ...(crossed ? { ':received': receivedAt } : {}),
    },
  };
}

/**
 * A reply the provider took, then reported failed (`failed`, its time as an answer), leaves its wait to
 * start again from `at`, as `startWaitingInput` with `failed` does, and only while no answer reached the
 * customer after it: a wait runs (they wrote since and nobody answered), or they have not written since
 * it (`lastInboundAt`; an AI answer to a later message ends no wait on its own write, so that message
 * may have been answered although `answeredAt` is still this reply's). A later answer recorded, a wait
 * started again already (a redelivered status) or a conversation not open: it fails its condition.
 */
export function lateFailureWaitInput(
  table: string,
  conversationId: string,
  at: string,
  failed: string,
): UpdateCommandInput {
  const input = startWaitingInput(table, conversationId, at, failed);
  return {
    ...input,
    ConditionExpression: `${input.ConditionExpression} AND (attribute_exists(waitingSince) OR attribute_not_exists(lastInboundAt) OR lastInboundAt <= :failed)`,
  };
}

/**
 * A reply the provider took, then reported failed (`failed`, its time as an answer), on a conversation
 * resolved since: reopened as by hand (`reopenConversationInput`), only if that resolve came after the
 * reply (`resolvedAt`; one before it was written was decided without it), no later answer was recorded
 * (`answeredAt` is the reply's, or older: resolved before the sender recorded it, an answer then not
 * written on a resolved conversation) and the customer has not written since (`lastInboundAt`).
 * Reopened already (a redelivered status, a race), snoozed, or answered or written to since: it fails
 * its condition.
 */
export function lateFailureReopenInput(
  table: string,
  conversationId: string,
  now: string,
  failed: string,
): UpdateCommandInput {
  const input = reopenConversationInput(table, conversationId, now, DELIVERY_AUTHOR_ID);
  return {
    ...input,
    ConditionExpression: `${input.ConditionExpression} AND resolvedAt >= :failed AND (attribute_not_exists(answeredAt) OR answeredAt <= :failed) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt <= :failed)`,
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':failed': failed },
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
