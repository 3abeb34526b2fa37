import type { PutCommandInput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AgentProfile } from '../../domain/assignment.js';
import { AGENTS_PARTITION, Keys } from '../keys.js';
import { LIST_INDEX } from '../table.js';

/** Registers or replaces an agent, indexed under the agents partition so they can all be listed. */
export function putAgentInput(table: string, agent: AgentProfile): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...Keys.agent(agent.id),
      entity: 'agent',
      gsi1pk: AGENTS_PARTITION,
      gsi1sk: agent.id,
      ...agent,
    },
  };
}

/** One page of every registered agent. */
export function queryAgentsInput(table: string, startKey?: Record<string, unknown>): QueryCommandInput {
  return {
    TableName: table,
    IndexName: LIST_INDEX,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': AGENTS_PARTITION },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}
