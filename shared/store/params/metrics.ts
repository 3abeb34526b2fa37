import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DecisionCount } from '../../domain/router-ports.js';
import { Keys } from '../keys.js';

/** Adds one routing decision to the overall counters (one item: fine at a small desk's volume). */
export function countDecisionInput(table: string, decision: DecisionCount): UpdateCommandInput {
  const names: Record<string, string> = { '#reason': `handoff_${decision.reason}` };
  const adds = ['routed :one'];
  if (decision.answeredByAi) adds.push('answeredByAi :one');
  if (decision.channelSwitch) adds.push('channelSwitches :one');
  if (decision.target === 'human') adds.push('#reason :one');
  return {
    TableName: table,
    Key: Keys.metrics(),
    UpdateExpression: `SET entity = :entity ADD ${adds.join(', ')}`,
    ...(decision.target === 'human' ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: { ':one': 1, ':entity': 'metrics' },
  };
}

/** Marks a conversation's first reply, the first time only, returning the conversation. */
export function markFirstResponseInput(
  table: string,
  conversationId: string,
  at: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET firstResponseAt = :at',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(firstResponseAt)',
    ExpressionAttributeValues: { ':at': at },
    ReturnValues: 'ALL_NEW',
  };
}

/** Adds one first response and its wait to the overall counters. */
export function addFirstResponseInput(table: string, ms: number): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.metrics(),
    UpdateExpression: 'SET entity = :entity ADD firstResponses :one, firstResponseMsTotal :ms',
    ExpressionAttributeValues: { ':one': 1, ':ms': ms, ':entity': 'metrics' },
  };
}
