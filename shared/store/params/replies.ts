import type { GetCommandInput, PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../domain/envelope.js';
import type { OutboundMessage } from '../../domain/outbound.js';
import { replyItem } from '../../domain/replies.js';
import { statusRank } from '../../domain/status-rank.js';
import { Keys, replyTimelineKey } from '../keys.js';
import { getInput } from './common.js';
import { type StatusChange, statusSets } from './timeline.js';

/**
 * Records a reply once under its id: a retried request finds the first one. Its text is left out
 * (`textOnTimeline`): the reply's timeline item, written next, holds it, so this item stays small (a
 * write unit, whatever the length of the text) and a retry reads the text from there.
 */
export function putReplyInput(
  table: string,
  message: OutboundMessage,
  requestHash?: string,
): PutCommandInput {
  const { text, ...rest } = message;
  return {
    TableName: table,
    Item: {
      ...Keys.reply(message.id),
      entity: 'reply',
      customerId: message.customerId,
      message: JSON.stringify(rest),
      ...(text !== undefined ? { textOnTimeline: true } : {}),
      ...(requestHash ? { requestHash } : {}),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/**
 * Writes an AI reply's timeline item once, at its placed key (right after the message it answers), with
 * routing's decision on it (`data.routed`). Its `at` stays the time it was written, for the
 * first-response time and for display; the key is what makes a redelivery find it. What the key says
 * (its id and customer) is left out: the item is written five times at its size. With `leaseUntil`,
 * the put is also the send claim (as `claimSendInput` writes it): the writer sends it, no one else.
 */
export function putPlacedReplyInput(
  table: string,
  message: OutboundMessage,
  routed: Record<string, unknown> | undefined,
  leaseUntil?: string,
): PutCommandInput {
  // Its id and customer are its key's (readers restore them: `withKeyFields`), written 5 times at its size.
  const { id: _id, customerId: _customerId, ...item } = replyItem(message);
  return {
    TableName: table,
    Item: {
      ...replyTimelineKey(message),
      entity: 'timeline',
      ...item,
      at: message.at,
      statusRank: statusRank('queued'),
      data: { ...item.data, ...(routed ? { routed } : {}) },
      ...(leaseUntil ? { sendLeaseUntil: leaseUntil } : {}),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** The reply recorded under an id, read after its put found one there. */
export function getReplyInput(table: string, replyId: string): GetCommandInput {
  return getInput(table, Keys.reply(replyId), true);
}

/**
 * Claims a reply for sending until `now + leaseMs`: only while it is on the timeline, not sent, not
 * failed for good, and nobody else holds an unexpired lease.
 */
export function claimSendInput(
  table: string,
  message: OutboundMessage,
  now: Date,
  leaseMs: number,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: replyTimelineKey(message),
    UpdateExpression: 'SET sendLeaseUntil = :until',
    ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(providerMessageId) AND attribute_not_exists(sendFailedAt) AND ${LEASE_OVER}`,
    ExpressionAttributeValues: leaseValues(now, leaseMs),
  };
}

/** Nobody holds an unexpired lease on the reply. */
const LEASE_OVER = '(attribute_not_exists(sendLeaseUntil) OR sendLeaseUntil < :now)';

/** A lease's values: until `now + leaseMs`, and `now`, which another's must have ended by. */
function leaseValues(now: Date, leaseMs: number): Record<string, string> {
  return { ':until': new Date(now.getTime() + leaseMs).toISOString(), ':now': now.toISOString() };
}

/**
 * Claims again a reply a sender gave up on after retries (`sendFailedAt` as read, no provider id: it
 * never went out), for a redelivery after a redrive: its failure is taken off (status back to
 * `queued`, its errors with it), so it is sent and recorded as a new reply is. Conditional on the
 * failure read, so two redeliveries at once claim it once.
 */
export function retryClaimInput(
  table: string,
  message: OutboundMessage,
  failedAt: string,
  now: Date,
  leaseMs: number,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: replyTimelineKey(message),
    UpdateExpression:
      'SET sendLeaseUntil = :until, #status = :queued, statusRank = :rank, statusAt = :now REMOVE sendFailedAt, sendGaveUp, errors',
    ConditionExpression: `sendFailedAt = :failedAt AND attribute_not_exists(providerMessageId) AND ${LEASE_OVER}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ...leaseValues(now, leaseMs),
      ':failedAt': failedAt,
      ':queued': 'queued',
      ':rank': statusRank('queued'),
    },
  };
}

/**
 * Lets go of a send lease its holder will not use (it handed the reply to the sender): only the lease
 * it wrote, so a later holder's, or a settled reply, is left alone.
 */
export function releaseSendInput(
  table: string,
  message: OutboundMessage,
  leaseUntil: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: replyTimelineKey(message),
    UpdateExpression: 'REMOVE sendLeaseUntil',
    ConditionExpression: 'sendLeaseUntil = :until',
    ExpressionAttributeValues: { ':until': leaseUntil },
  };
}

/** How a send ended: the provider took it, or it failed (`gaveUp`: after retries, a redrive tries again). */
type SendOutcome =
  | { providerMessageId: string; messageIdHeader?: string | undefined }
  | { failedAt: string; gaveUp?: boolean };

/**
 * The attributes a settled send sets: the provider's id and, for email, the Message-ID we wrote (its
 * thread link is keyed on it, and erasure finds that link by it), or the time it failed for good
 * (`sendGaveUp` too when the sender ran out of attempts).
 */
function settledSet(outcome: SendOutcome): [string, Record<string, unknown>] {
  if (!('providerMessageId' in outcome)) {
    if (!outcome.gaveUp) return ['sendFailedAt = :at', { ':at': outcome.failedAt }];
    return ['sendFailedAt = :at, sendGaveUp = :gaveUp', { ':at': outcome.failedAt, ':gaveUp': true }];
  }
  if (!outcome.messageIdHeader) return ['providerMessageId = :pmid', { ':pmid': outcome.providerMessageId }];
  return [
    'providerMessageId = :pmid, messageIdHeader = :mih',
    { ':pmid': outcome.providerMessageId, ':mih': outcome.messageIdHeader },
  ];
}

/**
 * Records how a send ended, the provider's id of the sent reply or the time it failed for good, and
 * lets go of the send lease. With `status`, the same write records it (`sent`, or `failed` and why):
 * the reply is still `queued` then, since statuses reach it only through the message reference,
 * which is linked after this write.
 */
export function settleSendInput(
  table: string,
  message: OutboundMessage,
  outcome: SendOutcome,
  status?: StatusChange,
): UpdateCommandInput {
  const [set, values] = settledSet(outcome);
  const recorded = status ? statusSets(status) : undefined;
  return {
    TableName: table,
    Key: replyTimelineKey(message),
    UpdateExpression: `SET ${set}${recorded ? `, ${recorded.expression}` : ''} REMOVE sendLeaseUntil`,
    ConditionExpression: 'attribute_exists(pk)',
    ...(recorded ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
    ExpressionAttributeValues: { ...values, ...recorded?.values },
  };
}

/**
 * Points a message reference that the echo of our reply claimed for itself (the echo overtook the
 * sender, which links it after the provider answers) at the reply instead: conditional on it still
 * naming the echo's place, so a second delivery of the echo, or a link made since, is left as it is.
 */
export function pointEchoAtReplyInput(
  table: string,
  reference: { channel: Channel; providerMessageId: string },
  echoSk: string,
  reply: { customerId: string; timelineSk: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.messageRef(reference.channel, reference.providerMessageId),
    UpdateExpression: 'SET customerId = :customerId, timelineSk = :reply',
    ConditionExpression: 'timelineSk = :echo',
    ExpressionAttributeValues: {
      ':customerId': reply.customerId,
      ':reply': reply.timelineSk,
      ':echo': echoSk,
    },
  };
}
