import type { DeleteCommandInput, GetCommandInput } from '@aws-sdk/lib-dynamodb';

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
