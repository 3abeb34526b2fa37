import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DecisionCount } from '../../domain/router-ports.js';
import { Keys, metricsDaySortKey, metricsPartition, SHARDS, shardOf } from '../keys.js';

/** The UTC day (`yyyy-mm-dd`) of an ISO time. */
const dayOf = (at: string): string => new Date(at).toISOString().slice(0, 10);

/**
 * Adds one routing decision to the counters of its UTC day, in the shard its item's id picks: one
 * UpdateItem, and no partition takes more than 1 in METRICS_SHARDS of the decisions.
 */
export function countDecisionInput(table: string, decision: DecisionCount): UpdateCommandInput {
  const names: Record<string, string> = { '#reason': `handoff_${decision.reason}` };
  const adds = ['routed :one'];
  if (decision.answeredByAi) adds.push('answeredByAi :one');
  if (decision.channelSwitch) adds.push('channelSwitches :one');
  if (decision.target === 'human') adds.push('#reason :one');
  return {
    TableName: table,
    Key: Keys.metricsDay(shardOf(decision.itemId, SHARDS.metrics), dayOf(decision.at)),
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

/** Adds one first response and its wait to the counters of the reply's UTC day, in the conversation's shard. */
export function addFirstResponseInput(
  table: string,
  response: { conversationId: string; at: string; ms: number },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.metricsDay(shardOf(response.conversationId, SHARDS.metrics), dayOf(response.at)),
    UpdateExpression: 'SET entity = :entity ADD firstResponses :one, firstResponseMsTotal :ms',
    ExpressionAttributeValues: { ':one': 1, ':ms': response.ms, ':entity': 'metrics' },
  };
}

/** One shard's daily counters from `from` to `to` (UTC days, inclusive). */
export function queryMetricsDaysInput(
  table: string,
  shard: number,
  range: { from: string; to: string },
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': metricsPartition(shard),
      ':from': metricsDaySortKey(range.from),
      ':to': metricsDaySortKey(range.to),
    },
  };
}
