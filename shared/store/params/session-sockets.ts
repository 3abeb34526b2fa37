import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { SESSION_SOCKETS_REFUSED_AT } from '../../domain/webchat/session-sockets.js';
import { Keys } from '../keys.js';

/**
 * Adds a socket's slot to its session's list and answers the whole list (`sockets`), unless the list
 * already holds SESSION_SOCKETS_REFUSED_AT slots (a flood of connects: the condition fails). The item
 * lives as long as the connections it lists.
 */
export function holdSocketInput(
  table: string,
  tokenHash: string,
  slot: string,
  ttl: number,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.webchatSessionSockets(tokenHash),
    UpdateExpression: 'ADD sockets :slot SET #ttl = :ttl',
    ConditionExpression: 'attribute_not_exists(sockets) OR size(sockets) < :most',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':slot': new Set([slot]), ':ttl': ttl, ':most': SESSION_SOCKETS_REFUSED_AT },
    ReturnValues: 'UPDATED_NEW',
  };
}

/**
 * Takes slots out of their session's list (sockets closed, or over the cap); taking one not there
 * changes nothing, and a list that is gone stays gone (an update would make one without a `ttl`).
 */
export function releaseSocketsInput(
  table: string,
  tokenHash: string,
  slots: readonly string[],
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.webchatSessionSockets(tokenHash),
    UpdateExpression: 'DELETE sockets :slots',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':slots': new Set(slots) },
  };
}
