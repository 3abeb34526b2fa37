import type { GetCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { Keys } from '../keys.js';

/** Reads where a customer is merged, strongly: the ring check's step along the pointers. */
export function getMergePointerInput(table: string, customerId: string): GetCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    ConsistentRead: true,
    ProjectionExpression: 'mergedInto',
  };
}

/**
 * A merge whose pointer closed a ring takes it back (see `closesRing`): only while it is the pointer
 * this merge wrote (its target, time and agent), so an unmerge or another merge since is left alone.
 */
export function withdrawMergedIntoInput(
  table: string,
  merge: { sourceId: string; targetId: string },
  by: { agentId: string; now: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(merge.sourceId),
    UpdateExpression: 'REMOVE mergedInto, mergedAt, mergedBy, targetAtMerge',
    ConditionExpression: 'mergedInto = :target AND mergedAt = :now AND mergedBy = :agent',
    ExpressionAttributeValues: { ':target': merge.targetId, ':now': by.now, ':agent': by.agentId },
  };
}
