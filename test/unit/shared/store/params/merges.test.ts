import { describe, expect, it } from 'vitest';
import {
  addMergedFromInput,
  addMergedIdentitiesInput,
  clearMergedIntoInput,
  pointIdentityInput,
  pointMergedIntoInput,
  removeMergedFromInput,
} from '#shared/store/params/merges.js';

const target = { pk: 'CUSTOMER#cu_t', sk: 'PROFILE' };
const source = { pk: 'CUSTOMER#cu_s', sk: 'PROFILE' };
const identity = { pk: 'IDENTITY#phone#+16505551234', sk: 'IDENTITY' };

describe('merge params', () => {
  it('lists the source on a target that is not merged itself', () => {
    expect(addMergedFromInput('t', 'cu_t', 'cu_s')).toEqual({
      TableName: 't',
      Key: target,
      UpdateExpression: 'ADD mergedFrom :source',
      ConditionExpression: 'entity = :customer AND attribute_not_exists(mergedInto)',
      ExpressionAttributeValues: { ':source': new Set(['cu_s']), ':customer': 'customer' },
    });
  });

  it('points the source at the target unless it points elsewhere', () => {
    expect(pointMergedIntoInput('t', 'cu_s', 'cu_t', 'ag_1', '2025-06-10T09:00:00.000Z')).toEqual({
      TableName: 't',
      Key: source,
      UpdateExpression: 'SET mergedInto = :target, mergedAt = :now, mergedBy = :agent',
      ConditionExpression: 'attribute_not_exists(mergedInto) OR mergedInto = :target',
      ExpressionAttributeValues: { ':target': 'cu_t', ':now': '2025-06-10T09:00:00.000Z', ':agent': 'ag_1' },
    });
  });

  it("re-points one of the source's identities, and back on unmerge", () => {
    expect(
      pointIdentityInput('t', 'phone#+16505551234', { sourceId: 'cu_s', targetId: 'cu_t' }, 'target'),
    ).toEqual({
      TableName: 't',
      Key: identity,
      UpdateExpression: 'SET customerId = :target, mergedFrom = :source',
      ConditionExpression: 'customerId = :source OR customerId = :target',
      ExpressionAttributeValues: { ':target': 'cu_t', ':source': 'cu_s' },
    });
    expect(
      pointIdentityInput('t', 'phone#+16505551234', { sourceId: 'cu_s', targetId: 'cu_t' }, 'source'),
    ).toEqual({
      TableName: 't',
      Key: identity,
      UpdateExpression: 'SET customerId = :source, unmergedFrom = :target REMOVE mergedFrom',
      ConditionExpression: 'customerId = :target',
      ExpressionAttributeValues: { ':target': 'cu_t', ':source': 'cu_s' },
    });
  });

  it("adds the source's identities and channels to the target, and nothing when it has none", () => {
    expect(addMergedIdentitiesInput('t', 'cu_t', { identities: ['phone#+1'], channels: ['sms'] })).toEqual({
      TableName: 't',
      Key: target,
      UpdateExpression: 'ADD identities :identities, channels :channels',
      ExpressionAttributeValues: { ':identities': new Set(['phone#+1']), ':channels': new Set(['sms']) },
    });
    expect(addMergedIdentitiesInput('t', 'cu_t', { identities: [], channels: ['sms'] })).toEqual({
      TableName: 't',
      Key: target,
      UpdateExpression: 'ADD channels :channels',
      ExpressionAttributeValues: { ':channels': new Set(['sms']) },
    });
    expect(addMergedIdentitiesInput('t', 'cu_t', { identities: [], channels: [] })).toBeUndefined();
  });

  it('takes the source and its identities off the target on unmerge', () => {
    expect(removeMergedFromInput('t', 'cu_t', 'cu_s', ['phone#+1'])).toEqual({
      TableName: 't',
      Key: target,
      UpdateExpression: 'DELETE mergedFrom :source, identities :identities',
      ExpressionAttributeValues: { ':source': new Set(['cu_s']), ':identities': new Set(['phone#+1']) },
    });
    expect(removeMergedFromInput('t', 'cu_t', 'cu_s', [])).toEqual({
      TableName: 't',
      Key: target,
      UpdateExpression: 'DELETE mergedFrom :source',
      ExpressionAttributeValues: { ':source': new Set(['cu_s']) },
    });
  });

  it('removes the merge pointer from the source on unmerge, and marks it unmerged', () => {
    expect(clearMergedIntoInput('t', 'cu_s', '2026-12-03T10:00:00.000Z')).toEqual({
      TableName: 't',
      Key: source,
      UpdateExpression: 'SET unmergedAt = :now REMOVE mergedInto, mergedAt, mergedBy',
      ExpressionAttributeValues: { ':now': '2026-12-03T10:00:00.000Z' },
    });
  });
});
