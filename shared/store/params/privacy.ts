import type { PutCommandInput, QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ErasureReport } from '../../domain/privacy.js';
import { Keys, mentionsPartition, TIMELINE_PREFIX } from '../keys.js';

/** Everyone who mentioned the identity of a token: just the keys and who, to delete them. */
export function queryMentionersInput(table: string, token: string): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': mentionsPartition(token) },
    ProjectionExpression: 'pk, sk, customerId',
  };
}

/** Takes an erased identity's token off a mentioner's profile (if the profile is still there). */
export function forgetMentionInput(table: string, customerId: string, token: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'DELETE mentioned :token',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':token': new Set([token]) },
  };
}

/** One page of one partition's timeline items, whole, for erasure. */
export function queryTimelineItemsInput(
  table: string,
  customerId: string,
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': Keys.customer(customerId).pk, ':prefix': TIMELINE_PREFIX },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * The tombstone that replaces an erased profile: the erasure's report on the customer asked for, the
 * time and the agent on everyone merged with them. Nothing that names the person.
 */
export function putTombstoneInput(
  table: string,
  customerId: string,
  record: ErasureReport | { erasedAt: string; erasedBy: string },
): PutCommandInput {
  return {
    TableName: table,
    Item: { ...Keys.customer(customerId), entity: 'erased_customer', id: customerId, ...record },
  };
}
