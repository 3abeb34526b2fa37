import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#shared/store/sdk-documents.js';
import { suggestionRepository } from '#shared/store/suggestion-repository.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const phone = { kind: 'phone', value: '+14155550199' } as const;
const NOW = '2025-06-10T09:00:01.000Z';
const evidence = (i: number) => ({
  id: `ses:msg:${i}#phone#+14155550199`,
  identity: phone,
  reason: 'mentioned' as const,
  at: '2025-06-10T09:00:00.000Z',
  envelopeId: `ses:msg:${i}`,
});

/** One item in memory, updated as DynamoDB would for the evidence updates (sets, counters, the size condition). */
function memoryItem() {
  const item: { evidence?: Set<string>; moreEvidence?: number } = {};
  ddb.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    const values = input.ExpressionAttributeValues ?? {};
    if (input.ConditionExpression) {
      const set = item.evidence;
      const room = !set || set.size < Number(values[':max']) || set.has(String(values[':json']));
      if (!room) throw new ConditionalCheckFailedException({ message: 'full', $metadata: {} });
    }
    if (values[':evidence']) {
      item.evidence = new Set([...(item.evidence ?? []), ...(values[':evidence'] as Set<string>)]);
    }
    if (values[':one']) item.moreEvidence = (item.moreEvidence ?? 0) + 1;
    return {};
  });
  return item;
}

describe('suggestionRepository', () => {
  beforeEach(() => ddb.reset());

  it('keeps the item the same size however many messages repeat a mention', async () => {
    const item = memoryItem();
    const repo = suggestionRepository(db, { mergedPartitions: async (id) => [id] });
    const sizeAfter = async (from: number, to: number) => {
      for (let i = from; i < to; i++) await repo.putMention(phone, 'cu_1', evidence(i));
      return JSON.stringify([...(item.evidence ?? [])]).length;
    };
    const at100 = await sizeAfter(0, 100);
    const at2000 = await sizeAfter(100, 2000);
    expect(at2000).toBe(at100);
    expect(item.evidence?.size).toBe(20);
    expect(item.moreEvidence).toBe(1980);
  });

  it('adds nothing for a redelivered piece of evidence it keeps', async () => {
    const item = memoryItem();
    const repo = suggestionRepository(db, { mergedPartitions: async (id) => [id] });
    for (let i = 0; i < 20; i++) await repo.putSuggestion('cu_1', 'cu_2', evidence(i), NOW);
    await repo.putSuggestion('cu_1', 'cu_2', evidence(3), NOW);
    expect(item.evidence?.size).toBe(20);
    expect(item.moreEvidence).toBeUndefined();
  });

  it("raises a suggestion at the time it is given (the runtime's clock), not the machine's", async () => {
    memoryItem();
    const repo = suggestionRepository(db, { mergedPartitions: async (id) => [id] });
    await repo.putSuggestion('cu_1', 'cu_2', evidence(1), '2031-02-03T04:05:06.000Z');
    const stamped = ddb
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues?.[':now'])
      .filter(Boolean);
    // Before, `new Date()`: a suggestion raised while rehearsing with `npm run clock` carried today's date.
    expect(stamped.length).toBeGreaterThan(0);
    expect(new Set(stamped)).toEqual(new Set(['2031-02-03T04:05:06.000Z']));
  });
});
