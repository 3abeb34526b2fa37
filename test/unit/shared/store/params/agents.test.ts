import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '#shared/domain/assignment.js';
import {
  agentRemovalInput,
  clearLeaseLapsedInput,
  consoleLeaseInput,
  consoleLeaseRemovedInput,
  consoleLeaseRestoredInput,
  countAgentLoadInput,
  listAgentRemovedInput,
  listLoadAgentsInput,
  noteLeaseLapsedInput,
  putAgentInput,
  queryAgentsInput,
  retireAgentInput,
  unlistAgentRemovedInput,
} from '#shared/store/params/agents.js';

describe('agent params', () => {
  it('records a removal once, outside the agents index and with no ttl: a second one keeps the first', () => {
    expect(agentRemovalInput('t', 'ag_1', { at: '2026-12-05T10:00:00.000Z', by: 'lead' })).toEqual({
      TableName: 't',
      Item: {
        pk: 'AGENT_REMOVED#ag_1',
        sk: 'AGENT_REMOVED',
        entity: 'agent_removal',
        agentId: 'ag_1',
        removedAt: '2026-12-05T10:00:00.000Z',
        removedBy: 'lead',
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('lists a removed agent in one item, only while the admin removing them is not listed', () => {
    expect(listAgentRemovedInput('t', 'ada', 'cy')).toEqual({
      TableName: 't',
      Key: { pk: 'AGENT_REMOVALS', sk: 'AGENT_REMOVALS' },
      UpdateExpression: 'SET entity = :entity ADD #removed :agent',
      ConditionExpression: 'NOT contains(#removed, :by)',
      ExpressionAttributeNames: { '#removed': 'removed' },
      ExpressionAttributeValues: { ':entity': 'agent_removals', ':agent': new Set(['ada']), ':by': 'cy' },
    });
    expect(unlistAgentRemovedInput('t', 'ada')).toMatchObject({
      UpdateExpression: 'DELETE #removed :agent',
      ConditionExpression: 'attribute_exists(pk)',
    });
  });

  it("marks a removed agent's console lease, which a connect or ping does not write over; a restore deletes only the mark", () => {
    expect(consoleLeaseRemovedInput('t', 'ada', '2026-12-06T02:00:00.000Z')).toEqual({
      TableName: 't',
      Item: {
        pk: 'AGENT_LIVE#ada',
        sk: 'AGENT_LIVE',
        entity: 'agent_live',
        agentId: 'ada',
        removedAt: '2026-12-06T02:00:00.000Z',
      },
    });
    const seen = consoleLeaseInput('t', { kind: 'seen', agentId: 'ada', connectionId: 'c1', untilMs: 0 });
    expect(seen.ConditionExpression).toBe('attribute_not_exists(removedAt)');
    expect(consoleLeaseRestoredInput('t', 'ada')).toEqual({
      TableName: 't',
      Key: { pk: 'AGENT_LIVE#ada', sk: 'AGENT_LIVE' },
      ConditionExpression: 'attribute_exists(removedAt)',
    });
  });

  it('writes a registration conditionally when asked: a first one while none (or a retired one) is there, an update while it is and not retired', () => {
    const agent: AgentProfile = {
      id: 'ada',
      presence: 'away',
      queues: [],
      languages: [],
      capacity: 5,
      updatedAt: '2026-12-06T02:00:00.000Z',
    };
    expect(putAgentInput('t', agent).ConditionExpression).toBeUndefined();
    const first = putAgentInput('t', agent, 'new');
    expect(first.ConditionExpression).toBe('attribute_not_exists(pk) OR attribute_exists(removedAt)');
    // A restored agent's first registration takes the removal mark off, their set kept.
    expect(first.UpdateExpression).toMatch(/ REMOVE removedAt$/);
    expect(putAgentInput('t', agent, 'registered').ConditionExpression).toBe(
      'attribute_exists(pk) AND attribute_not_exists(removedAt)',
    );
    expect(putAgentInput('t', agent, 'registered').UpdateExpression).not.toMatch(/REMOVE/);
  });

  it('retires a removed agent’s registration: kept with its set, Away, in the removed agents’ partition', () => {
    expect(retireAgentInput('t', 'ag_1', '2026-12-06T02:00:00.000Z')).toEqual({
      TableName: 't',
      Key: { pk: 'AGENT#ag_1', sk: 'AGENT' },
      UpdateExpression: 'SET removedAt = if_not_exists(removedAt, :at), gsi1pk = :removed, #presence = :away',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#presence': 'presence' },
      ExpressionAttributeValues: {
        ':at': '2026-12-06T02:00:00.000Z',
        ':removed': 'AGENTS_REMOVED',
        ':away': 'away',
      },
    });
  });

  it('writes an agent under its key and in the agents index, keeping what else the item holds', () => {
    const agent = { id: 'ag_1', updatedAt: '2025-06-08T21:00:00.000Z' } as AgentProfile;
    expect(putAgentInput('t', agent)).toEqual({
      TableName: 't',
      Key: { pk: 'AGENT#ag_1', sk: 'AGENT' },
      UpdateExpression: 'SET #f0 = :f0, #f1 = :f1, #f2 = :f2, #f3 = :f3, #f4 = :f4',
      ExpressionAttributeNames: {
        '#f0': 'entity',
        '#f1': 'gsi1pk',
        '#f2': 'gsi1sk',
        '#f3': 'id',
        '#f4': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':f0': 'agent',
        ':f1': 'AGENTS',
        ':f2': 'ag_1',
        ':f3': 'ag_1',
        ':f4': '2025-06-08T21:00:00.000Z',
      },
    });
  });

  it('counts a conversation in (or out of) an agent\u2019s open ones with a set operation', () => {
    expect(countAgentLoadInput('t', 'ag_1', 'cv_1', 'ADD')).toEqual({
      TableName: 't',
      Key: { pk: 'AGENT#ag_1', sk: 'AGENT' },
      UpdateExpression: 'ADD #set :members',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#set': 'openConversationIds' },
      ExpressionAttributeValues: { ':members': new Set(['cv_1']) },
    });
    expect(listLoadAgentsInput('t', 'cv_1', 'DELETE', ['ag_1', 'ag_2'])).toEqual({
      TableName: 't',
      Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      UpdateExpression: 'DELETE #set :members',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#set': 'loadAgents' },
      ExpressionAttributeValues: { ':members': new Set(['ag_1', 'ag_2']) },
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

  it('marks a lapsed console lease only while it still ends where the sweep read it, and keeps it past its ttl', () => {
    expect(noteLeaseLapsedInput('t', 'ag_1', '2025-06-08T21:00:00.000Z')).toEqual({
      TableName: 't',
      Key: { pk: 'AGENT_LIVE#ag_1', sk: 'AGENT_LIVE' },
      UpdateExpression: 'SET lapsedAt = :until REMOVE #ttl',
      ConditionExpression: 'connectedUntil = :until',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':until': '2025-06-08T21:00:00.000Z' },
    });
  });

  it('takes the lapse mark off only while it is the one read', () => {
    expect(clearLeaseLapsedInput('t', 'ag_1', '2025-06-08T21:00:00.000Z')).toEqual({
      TableName: 't',
      Key: { pk: 'AGENT_LIVE#ag_1', sk: 'AGENT_LIVE' },
      UpdateExpression: 'REMOVE lapsedAt',
      ConditionExpression: 'lapsedAt = :at',
      ExpressionAttributeValues: { ':at': '2025-06-08T21:00:00.000Z' },
    });
  });
});
