import type { PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { WebchatSession } from '../../domain/webchat/session.js';
import { Keys } from '../keys.js';

/** Puts a session under its token's hash, with the table's `ttl` at its expiry. */
export function putWebchatSessionInput(table: string, session: WebchatSession): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...Keys.webchatSession(session.tokenHash),
      entity: 'webchat_session',
      ...session,
      ttl: Math.ceil(Date.parse(session.expiresAt) / 1000),
    },
  };
}

/** Adds one hit to a rate counter, answering the new count; the counter goes with its `ttl`. */
export function countWebchatHitInput(
  table: string,
  key: string,
  expiresAtSeconds: number,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.webchatRate(key),
    UpdateExpression: 'ADD hits :one SET #ttl = if_not_exists(#ttl, :ttl)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAtSeconds },
    ReturnValues: 'UPDATED_NEW',
  };
}
