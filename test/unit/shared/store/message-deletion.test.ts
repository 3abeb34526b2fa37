import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MessageDeletion } from '#shared/domain/deletion.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { applyDeletion } from '#shared/store/message-deletion.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { timelineRepository } from '#shared/store/timeline-repository.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const AT = '2026-12-03T09:00:00.000Z';
const SK = `TIMELINE#${AT}#whatsapp:wamid.D1`;
const REF = { pk: 'MESSAGE#whatsapp#wamid.D1', sk: 'MESSAGE' };
const ITEM = { pk: 'CUSTOMER#cu_1', sk: SK };
const conditionFailed = () => Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' });
const customers = { mergedPartitions: async (id: string) => [id, 'cu_merged'] };
const deletion: MessageDeletion = {
  channel: 'whatsapp',
  targetMessageId: 'wamid.D1',
  customerId: 'cu_1',
  identity: { kind: 'phone', value: '+15550100001' },
  at: '2026-12-03T09:05:00.000Z',
};
const updates = () => ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);

describe('applyDeletion', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(UpdateCommand).resolves({ Attributes: {} });
    ddb.on(DeleteCommand).resolves({});
  });

  it('redacts the item its reference names: one strong read, one keyed write, no query or scan', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...REF, customerId: 'cu_1', timelineSk: SK } });
    ddb.on(UpdateCommand, { Key: ITEM }).resolves({
      Attributes: { ...ITEM, type: 'message', text: 'my card 4111', conversationId: 'cv_1', raw: '{}' },
    });
    expect(await applyDeletion(db, customers, deletion)).toBe('redacted');
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ Key: REF, ConsistentRead: true });
    const [redact, preview] = updates();
    expect(redact).toMatchObject({
      Key: ITEM,
      UpdateExpression:
        'SET deleted = :true, deletedAt = if_not_exists(deletedAt, :at) REMOVE #text, attachments, #data, #raw',
      ConditionExpression: 'attribute_exists(pk) AND #type = :message AND direction = :inbound',
      ReturnValues: 'ALL_OLD',
    });
    // The conversation's preview goes too, only while it is this message's (its words, or an edit's of it).
    expect(preview).toMatchObject({
      Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      UpdateExpression: 'REMOVE preview, previewAt, previewEditAt, previewEditOf',
    });
    expect(preview?.ExpressionAttributeValues?.[':preview']).toBe('my card 4111');
    // The raw payload rode on the item: nothing kept aside to delete.
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it('deletes the raw payload kept aside, by its key', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...REF, customerId: 'cu_1', timelineSk: SK } });
    ddb.on(UpdateCommand, { Key: ITEM }).resolves({ Attributes: { ...ITEM, type: 'message' } });
    await applyDeletion(db, customers, deletion);
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({ pk: ITEM.pk, sk: `RAW#${SK}` });
  });

  it("leaves another customer's message alone", async () => {
    ddb.on(GetCommand).resolves({ Item: { ...REF, customerId: 'cu_other', timelineSk: SK } });
    expect(await applyDeletion(db, customers, deletion)).toBe('not-theirs');
    expect(updates()).toHaveLength(0);
  });

  it('redacts a message of a customer merged into the deleting one', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...REF, customerId: 'cu_merged', timelineSk: SK } });
    expect(await applyDeletion(db, customers, deletion)).toBe('redacted');
    expect(updates()[0]?.Key).toEqual({ pk: 'CUSTOMER#cu_merged', sk: SK });
  });

  it('finds a message written by its key alone (no reference) with a bounded query of the timeline', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [ITEM], ScannedCount: 3 });
    ddb.on(UpdateCommand, { Key: ITEM }).resolves({ Attributes: { ...ITEM, type: 'message', raw: '{}' } });
    expect(await applyDeletion(db, customers, deletion)).toBe('redacted');
    const [look, ...more] = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    // The customer's own partition first; found there, the merged one is not read.
    expect(more).toEqual([]);
    expect(look).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: 'id = :id AND #type = :message AND direction = :inbound',
      ExpressionAttributeValues: {
        ':pk': 'CUSTOMER#cu_1',
        // A week before the deletion, to the timeline's end, newest first, strongly consistent.
        ':from': 'TIMELINE#2026-11-26T09:05:00.000Z',
        ':to': 'TIMELINE$',
        ':id': 'whatsapp:wamid.D1',
      },
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    expect(look?.Limit).toBe(1000);
    expect(updates().map((u) => u.Key)).toEqual([ITEM]);
  });

  it("finds it in a merged customer's partition, and reads at most 1,000 items of each", async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1' } }).resolves({
      Items: [],
      ScannedCount: 1000,
      LastEvaluatedKey: { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2026-11-30' },
    });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_merged' } }).resolves({
      Items: [{ pk: 'CUSTOMER#cu_merged', sk: SK }],
    });
    ddb.on(UpdateCommand, { Key: { pk: 'CUSTOMER#cu_merged', sk: SK } }).resolves({
      Attributes: { type: 'message', raw: '{}' },
    });
    expect(await applyDeletion(db, customers, deletion)).toBe('redacted');
    // One page of the customer's partition (its bound reached, not paged on), then the merged one's.
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
    expect(updates()[0]?.Key).toEqual({ pk: 'CUSTOMER#cu_merged', sk: SK });
  });

  it("never looks beyond the deleting customer's partitions: another's message is not found", async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    await applyDeletion(db, customers, deletion);
    const partitions = ddb
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input.ExpressionAttributeValues?.[':pk']);
    expect(new Set(partitions)).toEqual(new Set(['CUSTOMER#cu_1', 'CUSTOMER#cu_merged']));
    expect(updates().map((u) => u.Key)).not.toContainEqual(ITEM);
  });

  it('before its message: marks the reference (a ttl) and the identity it came from, then looks again', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await applyDeletion(db, customers, deletion)).toBe('marked');
    expect(updates()).toEqual([
      expect.objectContaining({
        Key: REF,
        ConditionExpression: 'attribute_not_exists(timelineSk) AND attribute_not_exists(erasedAt)',
        ExpressionAttributeValues: expect.objectContaining({
          ':by': 'cu_1',
          ':at': deletion.at,
          ':ttl': Math.ceil(Date.parse(deletion.at) / 1000) + 7 * 24 * 3600,
        }),
      }),
      // The identity's next WhatsApp, Instagram or Messenger messages link their reference until then.
      expect.objectContaining({
        Key: { pk: 'IDENTITY#phone#+15550100001', sk: 'IDENTITY' },
        UpdateExpression: 'SET deletionMarkedUntil = :until',
        ExpressionAttributeValues: { ':until': '2026-12-10T09:05:00.000Z', ':customerId': 'cu_1' },
        ConditionExpression:
          'customerId = :customerId AND (attribute_not_exists(deletionMarkedUntil) OR deletionMarkedUntil < :until)',
      }),
    ]);
    // Each partition looked at twice: before the marks and after them.
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(4);
  });

  it('redacts a message written between its first look and the marks (its identity read without the mark)', async () => {
    ddb.on(GetCommand).resolves({});
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [] })
      .resolvesOnce({ Items: [] })
      .resolves({ Items: [ITEM] });
    ddb.on(UpdateCommand, { Key: ITEM }).resolves({ Attributes: { ...ITEM, type: 'message', raw: '{}' } });
    expect(await applyDeletion(db, customers, deletion)).toBe('redacted');
    expect(updates().map((u) => u.Key)).toEqual([
      REF,
      { pk: 'IDENTITY#phone#+15550100001', sk: 'IDENTITY' },
      ITEM,
    ]);
  });

  it('linked but not put yet (the message between its reference and its put): throws, to be retried', async () => {
    ddb.on(GetCommand, { Key: REF }).resolves({ Item: { ...REF, customerId: 'cu_1', timelineSk: SK } });
    ddb.on(GetCommand, { Key: ITEM }).resolves({});
    ddb.on(UpdateCommand, { Key: ITEM }).rejects(conditionFailed());
    await expect(applyDeletion(db, customers, deletion)).rejects.toThrow('retry');
  });

  it('does nothing to an erased message', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...REF, erasedAt: AT } });
    expect(await applyDeletion(db, customers, deletion)).toBe('erased');
    expect(updates()).toHaveLength(0);
  });
});

describe('placeTimelineItem of a message deleted before it came', () => {
  const repo = timelineRepository(db, customers);
  const item: TimelineItem = {
    id: 'whatsapp:wamid.D1',
    type: 'message',
    direction: 'inbound',
    channel: 'whatsapp',
    customerId: 'cu_1',
    conversationId: 'cv_1',
    providerMessageId: 'wamid.D1',
    at: AT,
    text: 'my card 4111',
    attachments: [{ kind: 'image', url: 'https://example.com/a.jpg' }] as TimelineItem['attachments'],
  };
  beforeEach(() => {
    ddb.reset();
    ddb.on(PutCommand).resolves({});
  });

  it('by its key alone: one conditional put, no reference (no write unit for a deletion that may come)', async () => {
    const placed = await repo.placeTimelineItem(item, undefined, 'key');
    expect(placed).toEqual({ written: true, customerId: 'cu_1', at: AT, deletedAt: undefined });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('its customer marked (`reference`): links its reference and puts it without words or raw', async () => {
    ddb.on(UpdateCommand).resolves({
      Attributes: { customerId: 'cu_1', timelineSk: SK, deletedAt: deletion.at, deletedBy: 'cu_1' },
    });
    const placed = await repo.placeTimelineItem(item, { text: { body: 'my card 4111' } }, 'reference');
    expect(placed).toMatchObject({ written: true, deletedAt: deletion.at });
    expect(updates().map((u) => u.Key)).toEqual([REF]);
    const puts = ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(puts).toHaveLength(1);
    expect(JSON.stringify(puts)).not.toContain('4111');
    expect(puts[0]).toMatchObject({ pk: 'CUSTOMER#cu_1', sk: SK, deleted: true, deletedAt: deletion.at });
  });

  it("stores it whole when the mark was another customer's", async () => {
    ddb.on(UpdateCommand).resolves({
      Attributes: { customerId: 'cu_1', timelineSk: SK, deletedAt: deletion.at, deletedBy: 'cu_stranger' },
    });
    await repo.placeTimelineItem(item, undefined, 'reference');
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ text: 'my card 4111' });
  });
});
