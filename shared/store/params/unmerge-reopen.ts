import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { inboxSortKey, Keys, TIMELINE_END, TIMELINE_PREFIX } from '../keys.js';
import { reopenConversationInput } from './conversations.js';

/** Who reopens a conversation a merge closed on an unanswered message, when the merge is undone. */
export const UNMERGE_AUTHOR_ID = 'unmerge';
/** Who the merge's quiet resolve names (`MERGE_AUTHOR_ID` of the merge use case). */
const MERGED_BY = 'merge';

/**
 * The customer's message a conversation the merge resolved still waits on: its last inbound message,
 * when no answer (`answeredAt`, nor a later reply, `lastAnswerAt`) came at or after it. Undefined for
 * one resolved otherwise, or answered.
 */
export function waitingAtMerge(item: Record<string, unknown>): string | undefined {
  const { status, resolvedBy, lastInboundAt, answeredAt, lastAnswerAt } = item;
  if (status !== 'resolved' || resolvedBy !== MERGED_BY || typeof lastInboundAt !== 'string')
    return undefined;
  const answered = [answeredAt, lastAnswerAt].some((at) => typeof at === 'string' && at >= lastInboundAt);
  return answered ? undefined : lastInboundAt;
}

/**
 * Reopens, by `UNMERGE_AUTHOR_ID`, a conversation a merge resolved while it waited on the customer's
 * message (`waitingAtMerge`), as a hand reopen does (`reopenConversationInput`: open inbox, its queue
 * and assignee as they were), but waiting since that message (`waiting`), and placed in the inbox by
 * it: only while it stands as read, resolved by that merge (`resolvedAt`) and still unanswered. Reopened
 * already (a retried unmerge), resolved again or answered since: it fails its condition.
 */
export function unmergeReopenInput(
  table: string,
  conversationId: string,
  now: string,
  read: { resolvedAt: string; waiting: string },
): UpdateCommandInput {
  const input = reopenConversationInput(table, conversationId, now, UNMERGE_AUTHOR_ID);
  return {
    ...input,
    UpdateExpression: String(input.UpdateExpression).replace(
      'waitingSince = :now',
      'waitingSince = :waiting',
    ),
    ConditionExpression: `${input.ConditionExpression} AND resolvedBy = :merged AND resolvedAt = :resolvedAt AND lastInboundAt = :waiting AND (attribute_not_exists(answeredAt) OR answeredAt < :waiting) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :waiting)`,
    ExpressionAttributeValues: {
      ...input.ExpressionAttributeValues,
      ':inboxSk': inboxSortKey(read.waiting, conversationId),
      ':merged': MERGED_BY,
      ':resolvedAt': read.resolvedAt,
      ':waiting': read.waiting,
    },
  };
}

/** How many of the customer's items after their waiting message the unmerge reads for an answer to it. */
export const ANSWER_LOOKAHEAD = 50;

/**
 * The customer's outbound items after their waiting message (`waiting`), oldest first, strongly read
 * (the unmerge has just moved the replies that went to them there): at most ANSWER_LOOKAHEAD items.
 */
export function queryAnswersAfterInput(
  table: string,
  customerId: string,
  waiting: string,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression: 'direction = :outbound',
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':from': `${TIMELINE_PREFIX}${waiting}\u0000`,
      ':to': TIMELINE_END,
      ':outbound': 'outbound',
    },
    ConsistentRead: true,
    Limit: ANSWER_LOOKAHEAD,
  };
}
