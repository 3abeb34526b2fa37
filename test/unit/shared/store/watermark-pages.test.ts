import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { advanceWatermark } from '#shared/store/delivery-status.js';
import { WATERMARK_MAX_PAGES, WATERMARK_MAX_PARTITIONS } from '#shared/store/params/timeline.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'eu-west-1' })), table: 'threadline' };
const receipt = {
  channel: 'messenger' as const,
  at: '2026-12-04T10:00:00.000Z',
  status: 'read' as const,
  statusAt: '2026-12-04T10:00:01.000Z',
};

/** A page of one sent reply (rank 1) per call, always with more behind it. */
const endlessPages = (input: QueryCommandInput) => {
  const n = ddb.commandCalls(QueryCommand).length;
  const key = { pk: input.ExpressionAttributeValues?.[':pk'], sk: `TIMELINE#2026-12-04T09:${n}` };
  return { Items: [{ ...key, statusRank: 1 }], LastEvaluatedKey: key };
};

beforeEach(() => {
  ddb.reset();
  ddb.on(UpdateCommand).resolves({});
});

describe('advanceWatermark: pages, newest first, with a limit', () => {
  it(`reads at most ${WATERMARK_MAX_PAGES} pages of a partition, each after the one before`, async () => {
    ddb.on(QueryCommand).callsFake(endlessPages);
    expect(await advanceWatermark(db, ['cu_1'], receipt)).toBe(WATERMARK_MAX_PAGES);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(WATERMARK_MAX_PAGES);
    expect(queries[0]?.ExclusiveStartKey).toBeUndefined();
    expect(queries[1]?.ExclusiveStartKey).toEqual({ pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2026-12-04T09:1' });
  });

  it('stops at the first reply the status covers, writing nothing for it or what is older', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#b', statusRank: 1 },
        { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#a', statusRank: 4 },
        { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#0', statusRank: 1 },
      ],
      LastEvaluatedKey: { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#0' },
    });
    expect(await advanceWatermark(db, ['cu_1'], receipt)).toBe(1);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key)).toEqual([
      { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#b' },
    ]);
  });

  it(`looks in each partition given, at most ${WATERMARK_MAX_PARTITIONS}`, async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const partitions = Array.from({ length: WATERMARK_MAX_PARTITIONS + 3 }, (_, i) => `cu_${i}`);
    await advanceWatermark(db, partitions, receipt);
    const asked = ddb
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input.ExpressionAttributeValues?.[':pk']);
    expect(asked).toEqual(partitions.slice(0, WATERMARK_MAX_PARTITIONS).map((id) => `CUSTOMER#${id}`));
  });
});
