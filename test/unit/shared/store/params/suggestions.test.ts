import { describe, expect, it } from 'vitest';
import {
  EVIDENCE_MAX,
  putMentionInput,
  putSuggestionInput,
  queryMentionsInput,
  querySuggestionsInput,
  setSuggestionStatusInput,
} from '#shared/store/params/suggestions.js';

const phone = { kind: 'phone', value: '+16505551234' } as const;
const evidence = {
  id: 'ev_1',
  identity: phone,
  reason: 'mentioned' as const,
  at: '2025-06-08T20:59:43.000Z',
  envelopeId: 'en_1',
};

describe('suggestion params', () => {
  it('adds the evidence of a mention to the mention item while its set has room or holds it', () => {
    expect(putMentionInput('t', phone, 'cu_1', evidence)).toEqual({
      TableName: 't',
      Key: { pk: 'MENTION#phone#+16505551234', sk: 'CUSTOMER#cu_1' },
      UpdateExpression: 'SET entity = :entity, customerId = :customerId ADD evidence :evidence',
      ConditionExpression:
        'attribute_not_exists(evidence) OR size(evidence) < :max OR contains(evidence, :json)',
      ExpressionAttributeValues: {
        ':entity': 'mention',
        ':customerId': 'cu_1',
        ':evidence': new Set([JSON.stringify(evidence)]),
        ':json': JSON.stringify(evidence),
        ':max': EVIDENCE_MAX,
      },
    });
    expect(EVIDENCE_MAX).toBe(20);
  });

  it('only counts the evidence when the set is full', () => {
    expect(putMentionInput('t', phone, 'cu_1', evidence, 'count')).toEqual({
      TableName: 't',
      Key: { pk: 'MENTION#phone#+16505551234', sk: 'CUSTOMER#cu_1' },
      UpdateExpression: 'SET entity = :entity, customerId = :customerId ADD moreEvidence :one',
      ExpressionAttributeValues: { ':entity': 'mention', ':customerId': 'cu_1', ':one': 1 },
    });
    const input = putSuggestionInput('t', 'cu_1', 'cu_2', evidence, '2025-06-08T21:00:00.000Z', 'count');
    expect(input.UpdateExpression).toMatch(/ADD moreEvidence :one$/);
    expect(input.ConditionExpression).toBeUndefined();
  });

  it('reads at most 50 mentioners of an identity', () => {
    expect(queryMentionsInput('t', phone)).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'MENTION#phone#+16505551234' },
      Limit: 50,
    });
  });

  it('raises a suggestion open and keeps whatever status it has', () => {
    const input = putSuggestionInput('t', 'cu_1', 'cu_2', evidence, '2025-06-08T21:00:00.000Z');
    expect(input.Key).toEqual({ pk: 'CUSTOMER#cu_1', sk: 'SUGGESTION#cu_2' });
    expect(input.UpdateExpression).toContain('#status = if_not_exists(#status, :open)');
  });

  it("reads the suggestions on one customer's profile", () => {
    expect(querySuggestionsInput('t', 'cu_1')).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1', ':prefix': 'SUGGESTION#' },
    });
  });

  it('sets the status of an existing suggestion only', () => {
    expect(setSuggestionStatusInput('t', 'cu_1', 'cu_2', 'dismissed')).toEqual({
      TableName: 't',
      Key: { pk: 'CUSTOMER#cu_1', sk: 'SUGGESTION#cu_2' },
      UpdateExpression: 'SET #status = :status',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': 'dismissed' },
    });
  });
});
