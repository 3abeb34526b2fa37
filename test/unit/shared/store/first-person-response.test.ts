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
const ASKED = '2025-06-10T10:00:00.000Z';
const ANSWERED = '2025-06-10T10:21:00.000Z';
const CONVERSATION_KEY = { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

/** Every DynamoDB call made, in order: the item's partition, and the expression it wrote. */
const made = () =>
  ddb.calls().map((call) => {
    const { input } = call.args[0] as unknown as { input: { Key: { pk: string }; UpdateExpression: string } };
    return [input.Key.pk, input.UpdateExpression];
  });
const shard = `METRICS#${shardOf('cv_1', SHARDS.metrics)}`;

beforeEach(() => ddb.reset());

describe("a person's first response: DynamoDB calls", () => {
  it('marks the first response and theirs in one write owing the count, counts both in one, then settles: four calls', async () => {
    ddb.on(UpdateCommand).resolves({});
    // The conversation keeps its first wait's start (`firstWaitFrom`, since 2026-12-07): counted from it.
    ddb.on(UpdateCommand, { Key: CONVERSATION_KEY }).resolves({ Attributes: { firstWaitFrom: ASKED } });
    await metrics.recordFirstResponse('cv_1', ANSWERED, undefined, { responded: false });
    expect(made()).toEqual([
      [
        'CONVERSATION#cv_1',
        'SET countOwed = :owed, countOwedFrom = if_not_exists(firstWaitFrom, :noWait), firstResponseAt = :at, firstHumanResponseAt = :at, firstResponseWaitFrom = if_not_exists(firstWaitFrom, :noWait)',
      ],
      [
        shard,
        'SET #claim = :claimBy, entity = :entity ADD firstResponses :one, firstResponseMsTotal :ms, firstHumanResponses :one, firstHumanResponseMsTotal :ms',
      ],
      ['CONVERSATION#cv_1', 'REMOVE countOwed, countOwedFrom'],
      [shard, 'REMOVE #claim'],
    ]);
  });

  it('a retry that finds the count still owed adds it, once, before anything else', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(UpdateCommand, { Key: CONVERSATION_KEY }).rejects(conditionFailed());
    ddb
      .on(UpdateCommand, { Key: CONVERSATION_KEY, UpdateExpression: 'REMOVE countOwed, countOwedFrom' })
      .resolves({});
    ddb.on(GetCommand).resolves({
      Item: { countOwed: `+|both|${ANSWERED}|owed:crashed`, countOwedFrom: ASKED },
    });
    await metrics.recordFirstResponse('cv_1', ANSWERED, undefined, { responded: false });
    const calls = made().map(([pk, expression]) => [pk, expression?.split(' ').slice(0, 2).join(' ')]);
    // Each round tries the three marks (the first response's in its two forms, `byFirstWait`: one
    // more than before 2026-12-07, the form of a conversation that keeps no first wait, tried last).
    expect(calls).toEqual([
      ['CONVERSATION#cv_1', 'SET countOwed'],
      ['CONVERSATION#cv_1', 'SET countOwed'],
      ['CONVERSATION#cv_1', 'SET countOwed'],
      ['CONVERSATION#cv_1', undefined],
      [shard, 'SET #claim'],
      ['CONVERSATION#cv_1', 'REMOVE countOwed,'],
      [shard, 'REMOVE #claim'],
      ['CONVERSATION#cv_1', 'SET countOwed'],
      ['CONVERSATION#cv_1', 'SET countOwed'],
      ['CONVERSATION#cv_1', 'SET countOwed'],
    ]);
    const added = ddb.calls()[4]?.args[0].input as {
      ConditionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    };
    // Under the crashed mark's claim, so an add that landed before the crash is not made again.
    expect(added.ConditionExpression).toBe('attribute_not_exists(#claim)');
    expect(added.ExpressionAttributeNames['#claim']).toBe('owed:crashed');
    expect(added.ExpressionAttributeValues[':ms']).toBe(21 * 60_000);
  });

  it("after the AI's first response, marks theirs from the wait the AI's answer ended: five calls", async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb
      .on(UpdateCommand, { Key: CONVERSATION_KEY })
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { firstResponseWaitFrom: ASKED, firstHumanResponseAt: ANSWERED } });
    await metrics.recordFirstResponse('cv_1', ANSWERED, undefined, { responded: false });
    expect(made().map(([pk, expression]) => [pk, expression?.split(' ').slice(0, 2).join(' ')])).toEqual([
      ['CONVERSATION#cv_1', 'SET countOwed'],
      ['CONVERSATION#cv_1', 'SET countOwed'],
      [shard, 'SET #claim'],
      ['CONVERSATION#cv_1', 'REMOVE countOwed,'],
      [shard, 'REMOVE #claim'],
    ]);
    const owed = ddb.calls()[1]?.args[0].input as { UpdateExpression: string };
    expect(owed.UpdateExpression).toContain('countOwedFrom = if_not_exists(firstResponseWaitFrom, :noWait)');
    const counted = ddb.calls()[2]?.args[0].input as { ExpressionAttributeValues: Record<string, unknown> };
    expect(counted.ExpressionAttributeValues[':ms']).toBe(21 * 60_000);
  });

  it('counts a conversation that keeps no first wait (written before 2026-12-07) from its wait: two tries more', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb
      .on(UpdateCommand, { Key: CONVERSATION_KEY })
      .rejectsOnce(conditionFailed())
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { waitingSince: ASKED } });
    await metrics.recordFirstResponse('cv_1', ANSWERED, undefined, { responded: false });
    expect(
      made()
        .slice(0, 4)
        .map(([pk, expression]) => [pk, expression?.split(' ').slice(0, 7).join(' ')]),
    ).toEqual([
      ['CONVERSATION#cv_1', 'SET countOwed = :owed, countOwedFrom = if_not_exists(firstWaitFrom,'],
      ['CONVERSATION#cv_1', 'SET countOwed = :owed, countOwedFrom = if_not_exists(firstResponseWaitFrom,'],
      ['CONVERSATION#cv_1', 'SET countOwed = :owed, countOwedFrom = if_not_exists(waitingSince,'],
      [shard, 'SET #claim = :claimBy, entity = :entity'],
    ]);
    const counted = ddb.calls()[3]?.args[0].input as { ExpressionAttributeValues: Record<string, unknown> };
    expect(counted.ExpressionAttributeValues[':ms']).toBe(21 * 60_000);
  });

  it('writes nothing for a reply to a conversation a person had answered as read', async () => {
    ddb.on(UpdateCommand).resolves({});
    await metrics.recordFirstResponse('cv_1', ANSWERED, undefined, { responded: true });
    expect(made()).toEqual([]);
  });

  it('takes both back when the first response a person gave never reached the customer', async () => {
    ddb.on(UpdateCommand).resolves({});
    // The take-back of the first response only fails its condition (a person's first it was too).
    ddb
      .on(UpdateCommand, { Key: CONVERSATION_KEY })
      .rejectsOnce(conditionFailed())
      .resolves({
        Attributes: {
          firstResponseAt: ANSWERED,
          firstResponseWaitFrom: ASKED,
          firstHumanResponseAt: ANSWERED,
        },
      });
    expect(await metrics.takeBackFirstResponse('cv_1', ANSWERED)).toBe(true);
    expect(made()[2]).toEqual([
      shard,
      'SET #claim = :claimBy, entity = :entity ADD firstResponses :one, firstResponseMsTotal :ms, firstHumanResponses :one, firstHumanResponseMsTotal :ms',
    ]);
  });
});
