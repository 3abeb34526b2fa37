import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { Keys } from '../keys.js';

/** Step 1 of a merge: the target lists the source, so its timeline reads include it at once. */
export function addMergedFromInput(table: string, targetId: string, sourceId: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: 'ADD mergedFrom :source',
    ConditionExpression: 'entity = :customer AND attribute_not_exists(mergedInto)',
    ExpressionAttributeValues: { ':source': new Set([sourceId]), ':customer': 'customer' },
  };
}

/** Step 2 of a merge: the source points to the target, unless it was merged elsewhere. */
export function pointMergedIntoInput(
  table: string,
  sourceId: string,
  targetId: string,
  agentId: string,
  now: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(sourceId),
    UpdateExpression: 'SET mergedInto = :target, mergedAt = :now, mergedBy = :agent',
    ConditionExpression: 'attribute_not_exists(mergedInto) OR mergedInto = :target',
    ExpressionAttributeValues: { ':target': targetId, ':now': now, ':agent': agentId },
  };
}

/**
 * Step 3 of a merge: one of the source's identities resolves to the target (`to: 'target'`). An unmerge
 * points it back to the source (`to: 'source'`), only from the target, and marks it `unmergedFrom`: the
 * resolver then knows that items of its messages may be in the target's partition.
 */
export function pointIdentityInput(
  table: string,
  token: string,
  merge: { sourceId: string; targetId: string },
  to: 'target' | 'source',
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.identityByToken(token),
    ...(to === 'target'
      ? {
          UpdateExpression: 'SET customerId = :target, mergedFrom = :source',
          ConditionExpression: 'customerId = :source OR customerId = :target',
        }
      : {
          UpdateExpression: 'SET customerId = :source, unmergedFrom = :target REMOVE mergedFrom',
          ConditionExpression: 'customerId = :target',
        }),
    ExpressionAttributeValues: { ':target': merge.targetId, ':source': merge.sourceId },
  };
}

/** Step 4 of a merge: the target shows the source's identities and channels; nothing when both are empty. */
export function addMergedIdentitiesInput(
  table: string,
  targetId: string,
  source: { identities: readonly string[]; channels: readonly string[] },
): UpdateCommandInput | undefined {
  const adds: string[] = [];
  const values: Record<string, unknown> = {};
  if (source.identities.length) {
    adds.push('identities :identities');
    values[':identities'] = new Set(source.identities);
  }
  if (source.channels.length) {
    adds.push('channels :channels');
    values[':channels'] = new Set(source.channels);
  }
  if (!adds.length) return undefined;
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: `ADD ${adds.join(', ')}`,
    ExpressionAttributeValues: values,
  };
}

/** Unmerge: the target no longer lists the source nor shows its identities. */
export function removeMergedFromInput(
  table: string,
  targetId: string,
  sourceId: string,
  identities: readonly string[],
): UpdateCommandInput {
  const deletes = ['mergedFrom :source'];
  const values: Record<string, unknown> = { ':source': new Set([sourceId]) };
  if (identities.length) {
    deletes.push('identities :identities');
    values[':identities'] = new Set(identities);
  }
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: `DELETE ${deletes.join(', ')}`,
    ExpressionAttributeValues: values,
  };
}

/** Unmerge: the source stands for itself again, marked `unmergedAt` (it stood merged once). */
export function clearMergedIntoInput(table: string, sourceId: string, now: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(sourceId),
    UpdateExpression: 'SET unmergedAt = :now REMOVE mergedInto, mergedAt, mergedBy',
    ExpressionAttributeValues: { ':now': now },
  };
}
