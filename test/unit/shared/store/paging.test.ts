import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { queryAll, queryPage } from '#shared/store/paging.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const item = (i: number) => ({ pk: 'P', sk: `S${i}`, gsi1pk: 'G', gsi1sk: `g${i}` });
const input = { TableName: 'threadline', KeyConditionExpression: 'pk = :pk' };

/** DynamoDB stopping every call after two items (as at 1 MB), whatever the Limit. */
function stopsEveryTwo(total: number) {
  ddb.on(QueryCommand).callsFake((sent: { ExclusiveStartKey?: { sk: string }; Limit?: number }) => {
    const from = sent.ExclusiveStartKey ? Number(sent.ExclusiveStartKey.sk.slice(1)) + 1 : 0;
    const count = Math.min(2, sent.Limit ?? 2, total - from);
    const Items = Array.from({ length: count }, (_, k) => item(from + k));
    const last = Items.at(-1);
    return {
      Items,
      ScannedCount: count,
      ...(last ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk } } : {}),
    };
  });
}

describe('queryPage', () => {
  beforeEach(() => ddb.reset());

  it('fills a page across stops and gives the key to resume after its last item while more remain', async () => {
    stopsEveryTwo(7);
    const first = await queryPage(db, input, 5);
    expect(first.items.map((i) => i.sk)).toEqual(['S0', 'S1', 'S2', 'S3', 'S4']);
    expect(first.next).toEqual({ pk: 'P', sk: 'S4' });
    const second = await queryPage(db, { ...input, ExclusiveStartKey: first.next }, 5);
    expect(second.items.map((i) => i.sk)).toEqual(['S5', 'S6']);
    expect(second.next).toBeUndefined();
  });

  it('says there is no more when the last page ends exactly at the last item', async () => {
    stopsEveryTwo(4);
    expect((await queryPage(db, input, 4)).next).toBeUndefined();
  });

  it('resumes an index query with the index keys too', async () => {
    stopsEveryTwo(3);
    expect((await queryPage(db, { ...input, IndexName: 'gsi1' }, 1)).next).toEqual(item(0));
  });

  it('reads no further back than maxRead', async () => {
    stopsEveryTwo(50);
    ddb.on(QueryCommand).callsFake((sent: { ExclusiveStartKey?: { sk: string }; Limit?: number }) => {
      const from = sent.ExclusiveStartKey ? Number(sent.ExclusiveStartKey.sk.slice(1)) + 1 : 0;
      // Everything is filtered out: three items evaluated per call.
      const scanned = Math.min(3, sent.Limit ?? 3);
      return {
        Items: [],
        ScannedCount: scanned,
        LastEvaluatedKey: { pk: 'P', sk: `S${from + scanned - 1}` },
      };
    });
    expect((await queryPage(db, input, 1, { maxRead: 10 })).items).toEqual([]);
    const limits = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.Limit);
    expect(limits.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(10);
  });
});

describe('queryAll', () => {
  beforeEach(() => ddb.reset());

  it('reads every item, page after page', async () => {
    stopsEveryTwo(5);
    expect((await queryAll(db, input)).map((i) => i.sk)).toEqual(['S0', 'S1', 'S2', 'S3', 'S4']);
  });
});
