import { describe, expect, it } from 'vitest';
import {
  addFirstResponseInput,
  countDecisionInput,
  markFirstResponseInput,
} from '#shared/store/params/metrics.js';

const metricsKey = { pk: 'METRICS', sk: 'OVERALL' };

describe('metrics params', () => {
  it('counts a decision the AI answered', () => {
    expect(
      countDecisionInput('t', { target: 'ai', reason: 'routine', answeredByAi: true, channelSwitch: true }),
    ).toEqual({
      TableName: 't',
      Key: metricsKey,
      UpdateExpression: 'SET entity = :entity ADD routed :one, answeredByAi :one, channelSwitches :one',
      ExpressionAttributeValues: { ':one': 1, ':entity': 'metrics' },
    });
  });

  it('counts a hand-off under its reason', () => {
    expect(
      countDecisionInput('t', {
        target: 'human',
        reason: 'asked_for_person',
        answeredByAi: false,
        channelSwitch: false,
      }),
    ).toEqual({
      TableName: 't',
      Key: metricsKey,
      UpdateExpression: 'SET entity = :entity ADD routed :one, #reason :one',
      ExpressionAttributeNames: { '#reason': 'handoff_asked_for_person' },
      ExpressionAttributeValues: { ':one': 1, ':entity': 'metrics' },
    });
  });

  it("marks a conversation's first response once and adds its wait to the counters", () => {
    expect(markFirstResponseInput('t', 'cv_1', '2025-06-08T21:00:00.000Z')).toEqual({
      TableName: 't',
      Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      UpdateExpression: 'SET firstResponseAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(firstResponseAt)',
      ExpressionAttributeValues: { ':at': '2025-06-08T21:00:00.000Z' },
      ReturnValues: 'ALL_NEW',
    });
    expect(addFirstResponseInput('t', 1500)).toEqual({
      TableName: 't',
      Key: metricsKey,
      UpdateExpression: 'SET entity = :entity ADD firstResponses :one, firstResponseMsTotal :ms',
      ExpressionAttributeValues: { ':one': 1, ':ms': 1500, ':entity': 'metrics' },
    });
  });
});
