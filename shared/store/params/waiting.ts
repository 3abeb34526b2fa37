import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { DELIVERY_AUTHOR_ID, type OwedHandOff } from '../../domain/waiting.js';
import { inboxAnsweredSortKey, inboxShardPartition, inboxSortKey, Keys } from '../keys.js';
import { reopenConversationInput } from './conversations.js';
import { FIRST_RESPONSE_WAIT, FIRST_WAIT_FROM, markFirstResponseInput, NO_WAIT } from './metrics.js';

/** What ends a wait: open, no answer as new recorded, and no customer message (nor wait) newer than it. */
const ANSWERS =
  '#status = :open AND attribute_exists(gsi1sk) AND (attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt <= :at) AND (attribute_not_exists(waitingSince) OR waitingSince <= :at)';
/**
 * No answer was sent after the failed one: the latest is the later of `answeredAt` (compared where
 * used) and a follow-up's `lastAnswerAt` (absent when none was sent since the last wait ended).
 */
const NO_LATER_ANSWER = '(attribute_not_exists(lastAnswerAt) OR lastAnswerAt <= :failed)';
/**
 * A wait to end: one runs, or the customer wrote since the answer that last ended one (its wait's write
 * may not have landed yet), or nothing was answered yet. A follow-up reply after the answer ends none.
 */
const ENDS_A_WAIT =
  '(attribute_exists(waitingSince) OR attribute_not_exists(answeredAt) OR answeredAt < lastInboundAt)';
/**
 * Ends the wait and moves the inbox place after the waiting ones (kept as `answeredSk` while no wait
 * runs). A follow-up answer's time (`lastAnswerAt`, `followUpAnswerInput`) is older then: it goes
 * (`ANSWERED_WAIT`), so the item is no bigger than before for the usual exchange.
 */
const ANSWER =
  'answeredAt = :at, answeredSk = if_not_exists(answeredSk, :answeredSk), gsi1sk = if_not_exists(answeredSk, :answeredSk)';
/**
 * What an answer that ends a wait removes: the wait, a follow-up's time older than the answer, and the
 * missed call the wait was marked with (`missedCallAt`).
 */
const ANSWERED_WAIT = 'waitingSince, lastAnswerAt, missedCallAt';

/**
 * An answer (an agent's reply or the AI's; `at` its time as an answer, `answeredAt`: the AI's is its
 * place right after the message it answers, so a later message keeps its wait) reached the customer: an open conversation
 * stops waiting and moves after the waiting ones in the inbox. Only when it ends a wait (`ENDS_A_WAIT`:
 * a follow-up reply after the answer leaves `answeredAt` to the answer, see `followUpAnswerInput`), no
 * customer message is newer than the answer (`lastInboundAt`) and no later answer was recorded:
 * processed twice, or after a newer message or answer, it fails its condition and changes nothing.
 * Already answered, it keeps its place (`answeredSk`, kept while no wait runs), so only the answer that
 * ends a wait moves the index. `gsi1sk` is kept whether or not the conversation is listed yet (`gsi1pk`,
 * see `listInInboxInput`).
 */
export function markAnsweredInput(table: string, conversationId: string, at: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET ${ANSWER} REMOVE ${ANSWERED_WAIT}`,
    ConditionExpression: `${ANSWERS} AND ${ENDS_A_WAIT}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':at': at,
      ':open': 'open',
      ':answeredSk': inboxAnsweredSortKey(at, conversationId),
    },
  };
}

/**
 * An answer that ended no wait (`markAnsweredInput` did not apply: a follow-up reply after the answer)
 * is kept as the latest answer sent (`lastAnswerAt`), so a failure of the answer before it brings back
 * no wait (the customer got this one), and its own failure none (it answered nothing new). Only forward,
 * after the answer (`answeredAt`), on an open conversation; processed twice, it fails its condition.
 */
export function followUpAnswerInput(table: string, conversationId: string, at: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET lastAnswerAt = :at',
    ConditionExpression:
      '#status = :open AND answeredAt < :at AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :at)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':at': at, ':open': 'open' },
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
    UpdateExpression: `SET firstResponseAt = :first, ${FIRST_RESPONSE_WAIT}, ${ANSWER}, gsi1pk = if_not_exists(gsi1pk, :inbox) REMOVE ${ANSWERED_WAIT}`,
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
 * (our first receipt, later than `at`), made after we had it (an answer made before did not); an answer
 * is the one that last ended a wait (`answeredAt`) or a follow-up sent after it (`lastAnswerAt`). With
 * `failed` (an answer that never went out, `at` the message it answered): the wait it ended, if it is
 * the last answer recorded and none was sent after it, starts again from that message (also before a
 * wait a later message started). With `handOff` (the AI's answer failed), the same write records the
 * hand-off the wait owes (`handOffOwed`), so a crash before it is made leaves it to the retry. The
 * conversation's first wait starts here when none did (`firstWaitFrom`: one the business opened).
 */
export function startWaitingInput(
  table: string,
  conversationId: string,
  at: string,
  failed?: string,
  receivedAt?: string,
  handOff?: OwedHandOff,
): UpdateCommandInput {
  const sortKey = inboxSortKey(at, conversationId);
  const crossed = receivedAt !== undefined && receivedAt > at;
  const heard = crossed ? ':received' : ':at';
  // No answer as new: neither the one that last ended a wait nor a follow-up sent after it.
  const fresh = `attribute_not_exists(waitingSince) AND (attribute_not_exists(answeredAt) OR answeredAt < ${heard}) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < ${heard})`;
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET waitingSince = :at, ${FIRST_WAIT_FROM} = if_not_exists(${FIRST_WAIT_FROM}, :at), gsi1sk = :sk${handOff ? ', handOffOwed = :handOff' : ''} REMOVE answeredSk${failed ? ', answeredAt' : ''}`,
    ConditionExpression: `#status = :open AND attribute_exists(gsi1sk) AND ${failed ? `(answeredAt = :failed OR (${fresh})) AND ${NO_LATER_ANSWER}` : fresh}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':at': at,
      ':open': 'open',
      ':sk': sortKey,
      ...(failed ? { ':failed': failed } : {}),
      ...(crossed ? { ':received': receivedAt } : {}),
      ...(handOff ? { ':handOff': { answer: handOff.answer, at: handOff.at } } : {}),
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
 * With `handOff`, it records the hand-off the wait owes (`startWaitingInput`).
 */
export function lateFailureWaitInput(
  table: string,
  conversationId: string,
  at: string,
  failed: string,
  handOff?: OwedHandOff,
): UpdateCommandInput {
  const input = startWaitingInput(table, conversationId, at, failed, undefined, handOff);
  return {
    ...input,
    ConditionExpression: `${input.ConditionExpression} AND ${ANSWERED_A_WAIT} AND (attribute_exists(waitingSince) OR attribute_not_exists(lastInboundAt) OR lastInboundAt <= :failed)`,
  };
}

/**
 * The failed reply answered a wait: it is the answer that ended one (`answeredAt`), or the customer
 * wrote after that answer (an AI answer to a later message, which writes no `answeredAt` when nobody
 * waited). A follow-up reply after the answer, nothing new written by the customer, answered none.
 */
const ANSWERED_A_WAIT =
  '(attribute_not_exists(answeredAt) OR answeredAt = :failed OR answeredAt < lastInboundAt)';

/**
 * A reply the provider took, then reported failed (`failed`, its time as an answer), on a conversation
 * resolved since: reopened as by hand (`reopenConversationInput`), only if that resolve came after the
 * reply (`resolvedAt`; one before it was written was decided without it), no later answer was recorded
 * (`answeredAt` is the reply's, or older with no answer recorded since: resolved before the sender
 * recorded it, an answer then not written on a resolved conversation; a follow-up reply recorded as the
 * latest answer, `lastAnswerAt`, but ending no wait answered nothing new) and the customer has not
 * written since (`lastInboundAt`).
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
    ConditionExpression: `${input.ConditionExpression} AND resolvedAt >= :failed AND (attribute_not_exists(answeredAt) OR answeredAt = :failed OR (answeredAt < :failed AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :failed))) AND ${NO_LATER_ANSWER} AND (attribute_not_exists(lastInboundAt) OR lastInboundAt <= :failed)`,
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':failed': failed },
  };
}

/**
 * A message no channel can answer (the customer opted out of SMS) opened the conversation, whose touch
 * started its wait: the wait goes, and the first wait it began (`firstWaitFrom`: a first response ends
 * none), while it is still that message's (a redelivery changes nothing).
 */
export function dropUnreachableWaitInput(
  table: string,
  conversationId: string,
  since: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'REMOVE waitingSince, firstWaitFrom',
    ConditionExpression: 'waitingSince = :since',
    ExpressionAttributeValues: { ':since': since },
  };
}

/**
 * A redelivered first message (its profile not yet written) set a wait on a conversation an answer
 * as new as it had ended: the wait goes again (the first wait stays: it was answered), the inbox place
 * (the answer's) never moved.
 */
export function dropAnsweredWaitInput(
  table: string,
  conversationId: string,
  since: string,
): UpdateCommandInput {
  const input = dropUnreachableWaitInput(table, conversationId, since);
  const answered = 'answeredAt >= :since AND attribute_exists(answeredSk)';
  return {
    ...input,
    UpdateExpression: 'REMOVE waitingSince',
    ConditionExpression: `${input.ConditionExpression} AND ${answered}`,
  };
}

/**
 * The AI's answer (written at `handOff.answer`; `failed`, its time as an answer) refused for good while
 * the wait of the message it answers (`at`) still runs: a send that goes out ends that wait after it, so
 * none was taken off and none comes back (`startWaitingInput` fails its condition), but the hand-off is
 * owed all the same (`handOffOwed`). Only while the customer waits from that message or before it, no
 * answer was sent after it, and no hand-off was recorded for it or a later answer (`handOffOwed` stays,
 * marked `made`, once made): a redelivery, or a run after a crash, fails its condition.
 */
export function owedWhileWaitingInput(
  table: string,
  conversationId: string,
  at: string,
  failed: string,
  handOff: OwedHandOff,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET handOffOwed = :handOff',
    ConditionExpression: `#status = :open AND waitingSince <= :at AND ${NO_LATER_ANSWER} AND (attribute_not_exists(handOffOwed) OR handOffOwed.answer < :answer)`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':open': 'open',
      ':at': at,
      ':failed': failed,
      ':answer': handOff.answer,
      ':handOff': { answer: handOff.answer, at: handOff.at },
    },
  };
}

/**
 * The hand-off a failed AI answer's wait owed (`answer`, its time) is made: its mark says so (`made`), if
 * still that one. Kept, not removed, so the answer's refusal, run again, records none a second time
 * (`owedWhileWaitingInput`); the next answer's write replaces it.
 */
export function handOffMadeInput(table: string, conversationId: string, answer: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET handOffOwed.made = :made',
    ConditionExpression: 'handOffOwed.answer = :answer AND attribute_not_exists(handOffOwed.made)',
    ExpressionAttributeValues: { ':answer': answer, ':made': true },
  };
}
