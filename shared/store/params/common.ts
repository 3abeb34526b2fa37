import type { DeleteCommandInput, GetCommandInput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** Get by key, for profile, conversation and message reference reads. */
export function getInput(
  table: string,
  key: { pk: string; sk: string },
  consistent = false,
): GetCommandInput {
  return { TableName: table, Key: key, ...(consistent ? { ConsistentRead: true } : {}) };
}

/** Deletes one item by key, for erasure; deleting what is already gone changes nothing. */
export function deleteInput(table: string, key: { pk: string; sk: string }): DeleteCommandInput {
  return { TableName: table, Key: key };
}

/** One page of the items of a partition whose sort key starts with a prefix, from `startKey` on. */
export function queryPrefixInput(
  table: string,
  pk: string,
  prefix: string,
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}
