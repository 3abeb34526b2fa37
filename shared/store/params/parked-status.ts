import type { DeleteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Channel, ProviderError } from '../../domain/envelope.js';
import { Keys } from '../keys.js';

/**
 * How long a status waits on its message's reference for the message (`parkStatusInput`): the send's
 * record comes as soon as the provider answers, and a sender that dies before writing it is
 * redelivered, from the dead-letter queue at the latest, which keeps a message 14 days. A reference
 * still unlinked then names mail we never sent (another sender on the SES account, a send whose record
 * was lost) and goes.
 */
export const PARKED_STATUS_TTL_SECONDS = 14 * 24 * 60 * 60;

/**
 * A status's errors as a message reference keeps them: the provider's code and title (and our hint), never its text
 * (SES's diagnostic quotes the address: `smtp; 550 5.1.1 <jane@example.com>... User`). The reference
 * is read only to bring a parked status to its message; the message's own item gets the whole error
 * when the status finds it linked.
 */
export function referenceErrors(errors: readonly ProviderError[] | undefined): ProviderError[] | undefined {
  return errors?.map(({ code, title, hint }) => ({
    code,
    ...(title !== undefined ? { title } : {}),
    ...(hint !== undefined ? { hint } : {}),
  }));
}

/**
 * Gives a status parked on an unlinked message reference its `ttl` (PARKED_STATUS_TTL_SECONDS after
 * the status was received), once: never on a reference linked since (it stays while its message
 * does) or an erasure's marker (it has its own).
 */
export function parkStatusInput(
  table: string,
  channel: Channel,
  providerMessageId: string,
  receivedAt: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.messageRef(channel, providerMessageId),
    UpdateExpression: 'SET #ttl = if_not_exists(#ttl, :ttl)',
    ConditionExpression:
      'attribute_exists(pk) AND attribute_not_exists(timelineSk) AND attribute_not_exists(erasedAt)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: {
      ':ttl': Math.ceil(Date.parse(receivedAt) / 1000) + PARKED_STATUS_TTL_SECONDS,
    },
  };
}

/**
 * Takes a parked status's `ttl` off its reference once the message linked it: the reference then
 * carries the message's later statuses for as long as the message is kept. Not an erasure's marker's,
 * nor a deletion mark's (see markDeletedInput).
 */
export function unparkStatusInput(
  table: string,
  channel: Channel,
  providerMessageId: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.messageRef(channel, providerMessageId),
    UpdateExpression: 'REMOVE #ttl',
    ConditionExpression:
      'attribute_exists(timelineSk) AND attribute_exists(#status) AND attribute_not_exists(erasedAt) AND attribute_not_exists(deletedAt)',
    ExpressionAttributeNames: { '#ttl': 'ttl', '#status': 'status' },
  };
}

/**
 * Takes back the status a message's reference was just created for when an erasure took the message
 * (its marker is kept apart, under a hash of the reference, so the status's write did not see it):
 * the reference would hold the provider's id, and nothing of an erased message is kept. Only while no
 * message linked it and no deletion marked it.
 */
export function dropErasedStatusInput(
  table: string,
  channel: Channel,
  providerMessageId: string,
): DeleteCommandInput {
  return {
    TableName: table,
    Key: Keys.messageRef(channel, providerMessageId),
    ConditionExpression: 'attribute_not_exists(timelineSk) AND attribute_not_exists(deletedAt)',
  };
}
