import { describe, expect, it } from 'vitest';
import {
  addMergedFromInput,
  addMergedIdentitiesInput,
  clearMergedIntoInput,
  finishUnmergeInput,
  pointIdentityInput,
  pointMergedIntoInput,
  pointReferenceInput,
  putMovedItemInput,
  queryUnmergeScanInput,
  removeMergedFromInput,
  saveUnmergeProgressInput,
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

  it('points the source at the target unless it points anywhere already (this target too: a second call completes)', () => {
    const by = { agentId: 'ag_1', now: '2025-06-10T09:00:00.000Z' };
    expect(pointMergedIntoInput('t', 'cu_s', 'cu_t', by)).toEqual({
      TableName: 't',
      Key: source,
      UpdateExpression: 'SET mergedInto = :target, mergedAt = :now, mergedBy = :agent',
      // cu_t sorts after cu_s: this merge yields to the opposite one (cu_t into cu_s) asked at once.
      ConditionExpression: 'attribute_not_exists(mergedInto) AND NOT contains(mergedFrom, :target)',
      ExpressionAttributeValues: { ':target': 'cu_t', ':now': '2025-06-10T09:00:00.000Z', ':agent': 'ag_1' },
      // The profile as written: whom the source lists, for the ring check (`closesRing`).
      ReturnValues: 'ALL_NEW',
    });
    expect(pointMergedIntoInput('t', 'cu_t', 'cu_s', by).ConditionExpression).toBe(
      'attribute_not_exists(mergedInto)',
    );
  });

  it("keeps on the source the target's channels and times as the merge read them", () => {
    const before = { channels: ['whatsapp'], times: { whatsapp: '2025-06-01T09:00:00.000Z' } };
    const by = { agentId: 'ag_1', now: '2025-06-10T09:00:00.000Z' };
    expect(pointMergedIntoInput('t', 'cu_s', 'cu_t', by, before)).toMatchObject({
      UpdateExpression:
        'SET mergedInto = :target, mergedAt = :now, mergedBy = :agent, targetAtMerge = :before',
      ExpressionAttributeValues: { ':before': before },
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

  it('removes the merge pointer from the source on unmerge, once, and marks it unmerged and unmerging', () => {
    expect(
      clearMergedIntoInput('t', { sourceId: 'cu_s', targetId: 'cu_t' }, 'ag_1', '2026-12-03T10:00:00.000Z'),
    ).toEqual({
      TableName: 't',
      Key: source,
      UpdateExpression:
        'SET unmergedAt = :now, unmergedBy = :agent, unmergedFrom = :target, unmergingFrom = :target REMOVE mergedInto, mergedAt, mergedBy',
      ConditionExpression: 'mergedInto = :target AND attribute_not_exists(erasingSince)',
      ExpressionAttributeValues: { ':now': '2026-12-03T10:00:00.000Z', ':agent': 'ag_1', ':target': 'cu_t' },
      ReturnValues: 'ALL_NEW',
    });
  });

  it("copies a moved item into the source's partition once, marked, and points its reference there", () => {
    const pair = { sourceId: 'cu_s', targetId: 'cu_t' };
    const stored = {
      pk: 'CUSTOMER#cu_t',
      sk: 'TIMELINE#2026-12-03T10:00:00.000Z#whatsapp:wamid.1',
      entity: 'timeline',
      customerId: 'cu_t',
      raw: '{}',
    };
    expect(putMovedItemInput('t', stored, pair)).toEqual({
      TableName: 't',
      Item: { ...stored, pk: 'CUSTOMER#cu_s', customerId: 'cu_s', movedFrom: 'cu_t' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    const aside = { pk: 'CUSTOMER#cu_t', sk: `RAW#${stored.sk}`, entity: 'raw_payload', raw: '{}' };
    expect(putMovedItemInput('t', aside, pair).Item).toEqual({ ...aside, pk: 'CUSTOMER#cu_s' });
    const ref = { pk: 'MESSAGE#whatsapp#wamid.1', sk: 'MESSAGE' };
    expect(pointReferenceInput('t', ref, pair)).toMatchObject({
      Key: ref,
      UpdateExpression: 'SET customerId = :source',
      ConditionExpression: 'customerId = :target',
    });
  });

  it("reads the target strongly, keeps a paused unmerge's place and ends it, only while under way", () => {
    const pair = { sourceId: 'cu_s', targetId: 'cu_t' };
    expect(queryUnmergeScanInput('t', 'cu_t', 'TIMELINE#x', 100)).toMatchObject({
      ConsistentRead: true,
      Limit: 100,
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_t', ':from': 'TIMELINE#x\u0000', ':to': 'TIMELINE$' },
    });
    expect(saveUnmergeProgressInput('t', pair, 'TIMELINE#x', { cv_1: 's', cv_2: 't' })).toMatchObject({
      Key: source,
      UpdateExpression: 'SET unmergeCursor = :after, unmergeOwners = :owners',
      ConditionExpression: 'unmergingFrom = :target',
      ExpressionAttributeValues: {
        ':after': 'TIMELINE#x',
        ':owners': { cv_1: 's', cv_2: 't' },
        ':target': 'cu_t',
      },
    });
    expect(finishUnmergeInput('t', pair)).toMatchObject({
      Key: source,
      UpdateExpression: 'REMOVE unmergingFrom, unmergeCursor, unmergeOwners',
      ConditionExpression: 'unmergingFrom = :target',
    });
  });
});
