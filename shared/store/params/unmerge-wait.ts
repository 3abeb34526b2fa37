import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { inboxAnsweredSortKey, inboxSortKey, Keys, TIMELINE_END, TIMELINE_PREFIX } from '../keys.js';

/**
 * The returning customer's inbound items at the very millisecond `at` (the kept conversation's wait
 * start), strongly read: the message the wait ran from is theirs now (the joined conversation's,
 * always in their partition, or one the unmerge moved back). A handful of items at most.
 */
export function queryInboundAtInput(table: string, customerId: string, at: string): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :at)',
    FilterExpression: 'direction = :inbound',
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':at': `${TIMELINE_PREFIX}${at}#`,
      ':inbound': 'inbound',
    },
    ConsistentRead: true,
  };
}

/** How many of the kept customer's items after the conversation's last answer the unmerge reads. */
export const OWN_LOOKAHEAD = 100;

/**
 * The kept customer's own messages in the conversation after `after` (its last answer; none: from its
 * start), oldest first, strongly read: at most OWN_LOOKAHEAD items of their timeline.
 */
export function queryOwnAfterInput(
  table: string,
  customerId: string,
  conversationId: string,
  after: string,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression: 'direction = :inbound AND #type = :message AND conversationId = :conversation',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':from': `${TIMELINE_PREFIX}${after}\u0000`,
      ':to': TIMELINE_END,
      ':inbound': 'inbound',
      ':message': 'message',
      ':conversation': conversationId,
    },
    ConsistentRead: true,
    Limit: OWN_LOOKAHEAD,
  };
}

/** What an unmerge changed of the kept conversation's wait, kept on it so a retry tells the clock again. */
export interface WaitLeftMark {
  source: string;
  /** The wait's start that left (the returning customer's message). */
  from: string;
  /** The unmerge's time: the clock's event. */
  at: string;
  /** The kept customer's own message the wait runs from now, if any. */
  since?: string;
}

/**
 * The kept conversation's wait, which ran from the returning customer's message (`mark.from`), runs
 * from the kept customer's own earliest unanswered message (`mark.since`, its inbox place by it), or
 * ends (the inbox place of its last answer, `answeredAt`: `answered`), noted as `unmergeWait`. Only
 * while it is open and still waits from that message: a message or an answer since moved the wait
 * (its own event told the clock), and an unmerge asked again finds the wait moved and the note.
 */
export function waitLeftInput(
  table: string,
  conversationId: string,
  mark: WaitLeftMark,
  answered: string,
): UpdateCommandInput {
  const values: Record<string, unknown> = { ':open': 'open', ':from': mark.from, ':mark': mark };
  let update: string;
  if (mark.since !== undefined) {
    values[':since'] = mark.since;
    values[':sk'] = inboxSortKey(mark.since, conversationId);
    update = 'SET waitingSince = :since, gsi1sk = :sk, unmergeWait = :mark';
  } else {
    values[':answeredSk'] = inboxAnsweredSortKey(answered, conversationId);
    update = 'SET gsi1sk = :answeredSk, answeredSk = :answeredSk, unmergeWait = :mark REMOVE waitingSince';
  }
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: update,
    ConditionExpression: '#status = :open AND waitingSince = :from',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
  };
}
