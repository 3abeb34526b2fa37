import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { SHARDS, shardOf } from '#shared/store/keys.js';
import { metricsRepository } from '#shared/store/metrics-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const metrics = metricsRepository({
  doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })),
  table: 'threadline',
});
const ASKED = '2025-06-10T23:55:00.000Z';
/** The failed first answer, a minute after midnight: its day is the next one. */
const ANSWERED = '2025-06-11T00:01:00.000Z';
const CONVERSATION_KEY = { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

/** Every DynamoDB call made, in order: command, the item's partition, and what it added or removed. */
const made = () =>
  ddb.calls().map((call) => {
    const { input } = call.args[0] as unknown as {
      input: { Key: { pk: string; sk: string }; ExpressionAttributeValues?: Record<string, unknown> };
    };
    const values = input.ExpressionAttributeValues ?? {};
    return [input.Key.pk, input.Key.sk, values[':one'] ?? null, values[':ms'] ?? null];
  });

beforeEach(() => ddb.reset());

describe('taking back a first response that never reached the customer: DynamoDB calls', () => {
  it('removes the mark owing the count, takes one response and its wait off the counters of its day, settles: four calls', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(UpdateCommand, { Key: CONVERSATION_KEY }).resolves({
      Attributes: { ...CONVERSATION_KEY, firstResponseAt: ANSWERED, firstResponseWaitFrom: ASKED },
    });
    expect(await metrics.takeBackFirstResponse('cv_1', ANSWERED)).toBe(true);
    const shard = shardOf('cv_1', SHARDS.metrics);
    expect(made()).toEqual([
      ['CONVERSATION#cv_1', 'CONVERSATION', null, null],
      // The day the response was counted on (the answer's), in the conversation's shard.
      [`METRICS#${shard}`, 'DAY#2025-06-11T00', -1, -6 * 60_000],
      ['CONVERSATION#cv_1', 'CONVERSATION', null, null],
      [`METRICS#${shard}`, 'DAY#2025-06-11T00', null, null],
    ]);
    const owed = ddb.calls()[0]?.args[0].input as { ExpressionAttributeValues: Record<string, unknown> };
    expect(String(owed.ExpressionAttributeValues[':owed'])).toMatch(
      /^-\|first\|2025-06-11T00:01:00.000Z\|owed:/,
    );
  });

  it('no counter, when it was no first response, was taken back already, or the customer was answered since: both take-backs fail, one read finds nothing owed', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { ...CONVERSATION_KEY } });
    expect(await metrics.takeBackFirstResponse('cv_1', ANSWERED)).toBe(false);
    expect(made()).toEqual([
      ['CONVERSATION#cv_1', 'CONVERSATION', null, null],
      ['CONVERSATION#cv_1', 'CONVERSATION', null, null],
      ['CONVERSATION#cv_1', 'CONVERSATION', null, null],
    ]);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('no counter for a first response that ended no wait (counted nowhere): the take-back, then the owed count settled', async () => {
    ddb.on(UpdateCommand, { Key: CONVERSATION_KEY }).resolves({
      Attributes: { ...CONVERSATION_KEY, firstResponseAt: ANSWERED, firstResponseWaitFrom: '' },
    });
    expect(await metrics.takeBackFirstResponse('cv_1', ANSWERED)).toBe(true);
    expect(made()).toEqual([
      ['CONVERSATION#cv_1', 'CONVERSATION', null, null],
      ['CONVERSATION#cv_1', 'CONVERSATION', null, null],
    ]);
  });
});
