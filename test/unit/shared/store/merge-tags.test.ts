import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tagsToCarry, tagsToTakeBack } from '#shared/domain/merges.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { ConflictError } from '#shared/errors.js';
import { mergeRepository } from '#shared/store/merge-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const at = '2025-06-10T09:00:00.000Z';
const target = { pk: 'CUSTOMER#cu_t', sk: 'PROFILE' };
const source = { pk: 'CUSTOMER#cu_s', sk: 'PROFILE' };

let profiles: Record<string, Record<string, unknown>>;

function merges() {
  return mergeRepository(db, {
    suggestions: { acceptSuggestion: vi.fn(async () => {}), reopenSuggestion: vi.fn(async () => {}) },
    timeline: { putTimelineItem: vi.fn(async (_item: TimelineItem, _raw: unknown) => true) },
  });
}

/** The updates of the customers' profiles (not of identities), with the values they name. */
const profileUpdates = () =>
  ddb
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input)
    .filter((input) => String(input.Key?.pk).startsWith('CUSTOMER#'))
    .map((input) => ({
      key: input.Key,
      expression: input.UpdateExpression,
      tags: input.ExpressionAttributeValues?.[':tags'],
      entries: input.ExpressionAttributeValues?.[':entries'],
    }));

/** The target's update that takes `vip` and the merge's note of it back. */
const vipTakenBack = (expression: string) => ({
  key: target,
  expression,
  tags: new Set(['vip']),
  entries: new Set(['cu_s#vip']),
});

describe('tagsToCarry and tagsToTakeBack', () => {
  it('carries the source’s tags the target lacks of its own, each once, sorted', () => {
    const target = { tags: ['late-payer', 'billing'], mergedTags: [] };
    expect(tagsToCarry({ tags: ['vip', 'late-payer', 'vip'] }, target)).toEqual(['vip']);
    expect(tagsToCarry({ tags: ['b', 'a'] }, { tags: [], mergedTags: [] })).toEqual(['a', 'b']);
    expect(tagsToCarry({ tags: [] }, { tags: ['vip'], mergedTags: [] })).toEqual([]);
  });

  it('carries again a tag a merge gave the target (asked again after a crash, or another customer’s)', () => {
    const target = { tags: ['billing', 'vip'], mergedTags: ['cu_s#vip'] };
    expect(tagsToCarry({ tags: ['vip'] }, target)).toEqual(['vip']);
    expect(tagsToCarry({ tags: ['vip', 'billing'] }, { ...target, mergedTags: ['cu_r#vip'] })).toEqual([
      'vip',
    ]);
  });

  it('takes back the source’s entries, and its tags but those another customer merged in gave too', () => {
    const target = { tags: ['gold', 'vip'], mergedTags: ['cu_r#vip', 'cu_s#gold', 'cu_s#vip'] };
    expect(tagsToTakeBack(target, 'cu_s')).toEqual({ tags: ['gold'], entries: ['cu_s#gold', 'cu_s#vip'] });
    expect(tagsToTakeBack(target, 'cu_x')).toEqual({ tags: [], entries: [] });
  });
});

describe('a merge and the tags of the customer merged in', () => {
  beforeEach(() => {
    profiles = {
      'CUSTOMER#cu_t': {
        entity: 'customer',
        id: 'cu_t',
        identities: new Set(['phone#+1']),
        tags: new Set(['billing', 'late-payer']),
      },
      'CUSTOMER#cu_s': {
        entity: 'customer',
        id: 'cu_s',
        identities: new Set(['phone#+2']),
        tags: new Set(['vip', 'late-payer']),
      },
    };
    ddb.reset();
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({ Item: profiles[input.Key.pk] }));
    ddb.on(UpdateCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
  });

  it('gives the target the ones it lacks with its first write, noting them there', async () => {
    await merges().merge('cu_t', 'cu_s', 'ag_1', at);
    const [listed, pointed, ...rest] = profileUpdates();
    expect(listed).toEqual({
      key: target,
      expression: 'ADD mergedFrom :source, tags :tags, mergedTags :entries',
      tags: new Set(['vip']),
      entries: new Set(['cu_s#vip']),
    });
    expect(pointed?.key).toEqual(source);
    // No other write names a tag: a merge asked again once the source points writes none again.
    expect(rest.filter((update) => update.expression?.includes('tags'))).toEqual([]);
  });

  it('writes no tag again when asked again after the source points to the target', async () => {
    profiles['CUSTOMER#cu_s'] = {
      ...profiles['CUSTOMER#cu_s'],
      mergedInto: 'cu_t',
      mergedAt: at,
      mergedBy: 'ag_1',
    };
    profiles['CUSTOMER#cu_t'] = { ...profiles['CUSTOMER#cu_t'], mergedTags: new Set(['cu_s#vip']) };
    await merges().merge('cu_t', 'cu_s', 'ag_1', at);
    expect(profileUpdates().filter((update) => update.expression?.includes('tags'))).toEqual([]);
  });

  it('writes no tag when the target has them all', async () => {
    profiles['CUSTOMER#cu_t'] = { ...profiles['CUSTOMER#cu_t'], tags: new Set(['vip', 'late-payer']) };
    await merges().merge('cu_t', 'cu_s', 'ag_1', at);
    expect(profileUpdates()[0]?.expression).toBe('ADD mergedFrom :source');
  });

  it('takes back what its first write gave when the source was merged elsewhere meanwhile', async () => {
    ddb
      .on(UpdateCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }))
      .resolves({});
    // The read after the refused pointer finds the source merged into another customer.
    ddb
      .on(GetCommand)
      .callsFake((input: { Key: { pk: string } }) => ({ Item: profiles[input.Key.pk] }))
      .on(GetCommand, { Key: source })
      .resolvesOnce({ Item: profiles['CUSTOMER#cu_s'] })
      .resolves({ Item: { ...profiles['CUSTOMER#cu_s'], mergedInto: 'cu_x', mergedAt: at } });
    await expect(merges().merge('cu_t', 'cu_s', 'ag_1', at)).rejects.toThrow(
      new ConflictError('customer cu_s was merged elsewhere meanwhile'),
    );
    expect(profileUpdates().at(-1)).toEqual(
      vipTakenBack('DELETE mergedFrom :source, tags :tags, mergedTags :entries'),
    );
  });

  it('an unmerge takes the carried tags off the target, and the source keeps its own', async () => {
    profiles['CUSTOMER#cu_s'] = { ...profiles['CUSTOMER#cu_s'], mergedInto: 'cu_t', mergedAt: at };
    profiles['CUSTOMER#cu_t'] = {
      ...profiles['CUSTOMER#cu_t'],
      tags: new Set(['billing', 'late-payer', 'vip']),
      mergedTags: new Set(['cu_s#vip']),
    };
    await merges().unmerge('cu_t', 'cu_s', 'ag_1', at);
    const tagged = profileUpdates().filter((update) => /\btags\b|mergedTags/.test(update.expression ?? ''));
    expect(tagged).toEqual([
      vipTakenBack('DELETE mergedFrom :source, identities :identities, tags :tags, mergedTags :entries'),
    ]);
  });

  it('an unmerge of a merge made before tags were carried takes no tag off the target', async () => {
    profiles['CUSTOMER#cu_s'] = { ...profiles['CUSTOMER#cu_s'], mergedInto: 'cu_t', mergedAt: at };
    await merges().unmerge('cu_t', 'cu_s', 'ag_1', at);
    expect(profileUpdates().filter((update) => /\btags\b|mergedTags/.test(update.expression ?? ''))).toEqual(
      [],
    );
  });
});
