import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '#shared/domain/assignment.js';
import { putAgentInput, queryAgentsInput } from '#shared/store/params/agents.js';

describe('agent params', () => {
  it('puts an agent under its key and in the agents index', () => {
    const agent = { id: 'ag_1', updatedAt: '2025-06-08T21:00:00.000Z' } as AgentProfile;
    expect(putAgentInput('t', agent)).toEqual({
      TableName: 't',
      Item: {
        pk: 'AGENT#ag_1',
        sk: 'AGENT',
        entity: 'agent',
        gsi1pk: 'AGENTS',
        gsi1sk: 'ag_1',
        id: 'ag_1',
        updatedAt: '2025-06-08T21:00:00.000Z',
      },
    });
  });

  it('pages through every agent', () => {
    const first = {
      TableName: 't',
      IndexName: 'gsi1k',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'AGENTS' },
    };
    expect(queryAgentsInput('t')).toEqual(first);
    expect(queryAgentsInput('t', { pk: 'AGENT#ag_1' })).toEqual({
      ...first,
      ExclusiveStartKey: { pk: 'AGENT#ag_1' },
    });
  });
});
