import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { timelineRepository } from '#shared/store/timeline-repository.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const AT = '2026-12-03T09:00:00.000Z';
const SK = `TIMELINE#${AT}#whatsapp:wamid.P1`;
const REF = { pk: 'MESSAGE#whatsapp#wamid.P1', sk: 'MESSAGE' };
const item: TimelineItem = {
  id: 'whatsapp:wamid.P1',
  type: 'message',
  direction: 'inbound',
  channel: 'whatsapp',
  customerId: 'cu_target',
  conversationId: 'cv_1',
  providerMessageId: 'wamid.P1',
  at: AT,
  text: 'hello',
};
const partitionsAsked: Array<{ id: string; consistent: boolean | undefined }> = [];
const repo = timelineRepository(db, {
  mergedPartitions: async (id, options) => {
    partitionsAsked.push({ id, consistent: options?.consistent });
    return [id, 'cu_source'];
  },
});

describe('placeTimelineItem', () => {
  beforeEach(() => {
    ddb.reset();
    partitionsAsked.length = 0;
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).callsFake((input) => ({
      Attributes: { customerId: input.ExpressionAttributeValues[':customerId'], timelineSk: SK },
    }));
  });

  it('by its key, an item no deletion names: one conditional put, no reference, no read', async () => {
    const sms = { ...item, channel: 'sms' as const };
    expect(await repo.placeTimelineItem(sms, undefined, 'key')).toEqual({
      written: true,
      customerId: 'cu_target',
      at: AT,
    });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item).toMatchObject({ pk: 'CUSTOMER#cu_target', sk: SK });
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('by reference (the default): the reference first, no look in merged partitions', async () => {
    await repo.placeTimelineItem(item, undefined);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.Key).toEqual(REF);
    expect(partitionsAsked).toEqual([]);
  });

  it('merged: finds the key in a merged partition, read strongly, and places it there', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { threadline: [{ pk: 'CUSTOMER#cu_source', sk: SK }] } });
    ddb
      .on(PutCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    expect(await repo.placeTimelineItem(item, undefined, 'merged')).toEqual({
      written: false,
      customerId: 'cu_source',
      at: AT,
    });
    expect(partitionsAsked).toEqual([{ id: 'cu_target', consistent: true }]);
    const gets = ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems);
    expect(gets).toEqual([
      { threadline: { Keys: [{ pk: 'CUSTOMER#cu_source', sk: SK }], ConsistentRead: true } },
    ]);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    const link = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(link?.ExpressionAttributeValues).toMatchObject({ ':customerId': 'cu_source', ':sk': SK });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ pk: 'CUSTOMER#cu_source' });
  });

  it('merged: reads the key in every merged partition with one strongly consistent call', async () => {
    const twoMerges = timelineRepository(db, {
      mergedPartitions: async (id) => ['cu_root', id, 'cu_first', 'cu_second'],
    });
    ddb.on(BatchGetCommand).resolves({ Responses: { threadline: [{ pk: 'CUSTOMER#cu_second', sk: SK }] } });
    const placed = await twoMerges.placeTimelineItem(item, undefined, 'merged');
    expect(placed.customerId).toBe('cu_second');
    const reads = ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems);
    expect(reads).toEqual([
      {
        threadline: {
          Keys: ['cu_root', 'cu_first', 'cu_second'].map((id) => ({ pk: `CUSTOMER#${id}`, sk: SK })),
          ConsistentRead: true,
        },
      },
    ]);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    const link = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(link?.ExpressionAttributeValues).toMatchObject({ ':customerId': 'cu_second' });
  });

  it('merged: with no merge, reads nothing before the reference', async () => {
    const alone = timelineRepository(db, { mergedPartitions: async (id) => [id] });
    await alone.placeTimelineItem(item, undefined, 'merged');
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it("follows the reference's customer when it holds the same key (a redelivery after a merge)", async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { customerId: 'cu_source', timelineSk: SK } });
    ddb
      .on(GetCommand)
      .resolves({ Item: { entity: 'customer', id: 'cu_source', mergedInto: item.customerId } });
    const placed = await repo.placeTimelineItem(item, undefined);
    expect(placed.customerId).toBe('cu_source');
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ pk: 'CUSTOMER#cu_source' });
    // The customer it names read once, strongly, to tell a merge from an erasure.
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input.ConsistentRead)).toEqual([true]);
  });

  it("moves a reference an erased customer holds to the event's customer (written as their erasure ran)", async () => {
    ddb
      .on(UpdateCommand)
      .resolvesOnce({
        Attributes: { customerId: 'cu_erased', timelineSk: SK.replace(item.customerId, 'cu_erased') },
      })
      .resolves({ Attributes: { customerId: item.customerId, timelineSk: SK } });
    ddb.on(GetCommand).resolves({ Item: { entity: 'erased_customer', id: 'cu_erased' } });
    const placed = await repo.placeTimelineItem(item, undefined);
    expect(placed.customerId).toBe(item.customerId);
    const moved = ddb.commandCalls(UpdateCommand)[1]?.args[0].input;
    expect(moved?.ConditionExpression).toBe('customerId = :from');
    expect(moved?.ExpressionAttributeValues).toMatchObject({ ':from': 'cu_erased', ':to': item.customerId });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      pk: `CUSTOMER#${item.customerId}`,
    });
  });

  it('waits while the customer the reference names is being erased', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { customerId: 'cu_erasing', timelineSk: SK } });
    ddb
      .on(GetCommand)
      .resolves({ Item: { entity: 'customer', id: 'cu_erasing', erasingSince: '2026-12-06T05:00:00.000Z' } });
    await expect(repo.placeTimelineItem(item, undefined)).rejects.toMatchObject({
      code: 'customer_erased_meanwhile',
    });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});
