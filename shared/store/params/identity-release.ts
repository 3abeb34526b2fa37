import type { DeleteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Identity } from '../../domain/envelope.js';
import { identityToken } from '../../domain/identity.js';
import { Keys } from '../keys.js';

/**
 * A released identity leaves a profile's `identities` (a customer's WhatsApp number change: the old
 * number). Only a customer's profile, not one being erased (its erasure reads the set).
 */
export function dropShownIdentityInput(
  table: string,
  customerId: string,
  identity: Identity,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'DELETE identities :token',
    ConditionExpression: 'entity = :customer AND attribute_not_exists(erasingSince)',
    ExpressionAttributeValues: { ':customer': 'customer', ':token': new Set([identityToken(identity)]) },
  };
}

/** Deletes an identity while `holder` holds it: a repeat, or a claim by someone else since, deletes nothing. */
export function releaseIdentityInput(table: string, identity: Identity, holder: string): DeleteCommandInput {
  return {
    TableName: table,
    Key: Keys.identity(identity),
    ConditionExpression: 'customerId = :holder',
    ExpressionAttributeValues: { ':holder': holder },
  };
}
