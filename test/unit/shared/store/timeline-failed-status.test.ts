import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryStatus, StatusEnvelope } from '#shared/domain/envelope.js';
import { encodeReplyKey } from '#shared/domain/reply-key.js';
import { statusRank } from '#shared/domain/status-rank.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { timelineRepository } from '#shared/store/timeline-repository.js';
import { mockAws } from '../../../support/aws-mock.js';
import { status as statusEnvelope } from '../../fakes/envelopes.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const repo = timelineRepository(db, { mergedPartitions: async (id) => [id] });
const PLACED = '2025-06-10T10:00:00.001Z';
const SK = `TIMELINE#${PLACED}#reply:ai:wamid.in.1`;
const ITEM_KEY = { pk: 'CUSTOMER#cu_1', sk: SK };
const REF_KEY = { pk: 'MESSAGE#whatsapp#wamid.out.1', sk: 'MESSAGE' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

/** The AI's reply as stored: keyed at its place, written at `at`, its id and customer left to its key. */
const stored = (status: DeliveryStatus) => ({
  ...ITEM_KEY,
  entity: 'timeline',
  type: 'message',
  direction: 'outbound',
  channel: 'whatsapp',
  at: '2025-06-10T10:00:02.000Z',
  conversationId: 'cv_1',
  providerMessageId: 'wamid.out.1',
  status,
  statusRank: statusRank(status),
  // Routing's decision rides on the AI's reply: read as stored, not unfolded into two items.
  data: {
    author: { kind: 'ai', id: 'responder' },
    routed: { itemId: 'whatsapp:wamid.in.1', queue: 'general', reason: 'ai_answerable' },
  },
});

const status = (value: DeliveryStatus, keyed: boolean): StatusEnvelope => ({
  ...statusEnvelope('wamid.out.1', value, '2025-06-10T10:00:05.000Z'),
  ...(keyed
    ? { replyKey: encodeReplyKey({ customerId: 'cu_1', at: PLACED, replyId: 'ai:wamid.in.1' }) }
    : {}),
});

/** Every DynamoDB call made, by kind. */
const calls = () => ({
  updates: ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input),
  gets: ddb.commandCalls(GetCommand).length,
});

describe('a failed status on a reply the provider took', () => {
  beforeEach(() => ddb.reset());

  it('by its key: one write, which returns the item only for failed', async () => {
    ddb.on(UpdateCommand, { Key: ITEM_KEY }).resolves({});
    expect(await repo.advanceStatus(status('delivered', true))).toBeUndefined();
    expect(calls().updates.map((input) => input.ReturnValues)).toEqual([undefined]);

    ddb.reset();
    ddb.on(UpdateCommand, { Key: ITEM_KEY }).resolves({ Attributes: stored('failed') });
    const failed = await repo.advanceStatus(status('failed', true));
    expect(failed?.placedAt).toBe(PLACED);
    expect(failed?.item).toMatchObject({
      id: 'reply:ai:wamid.in.1',
      customerId: 'cu_1',
      conversationId: 'cv_1',
    });
    expect(calls().updates.map((input) => input.ReturnValues)).toEqual(['ALL_NEW']);
    expect(calls().gets).toBe(0);
  });

  it('by its key, redelivered: the read it made already says the item is failed', async () => {
    ddb.on(UpdateCommand, { Key: ITEM_KEY }).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: ITEM_KEY }).resolves({ Item: stored('failed') });
    expect((await repo.advanceStatus(status('failed', true)))?.item.status).toBe('failed');
    expect([calls().updates.length, calls().gets]).toEqual([1, 1]);
  });

  it('by its key, after read: nothing, read outranks failed', async () => {
    ddb.on(UpdateCommand, { Key: ITEM_KEY }).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: ITEM_KEY }).resolves({ Item: stored('read') });
    expect(await repo.advanceStatus(status('failed', true))).toBeUndefined();
  });

  it('through the reference: the same two writes, the item returned only for failed', async () => {
    const linked = { customerId: 'cu_1', timelineSk: SK, timelineRank: statusRank('sent') };
    ddb.on(UpdateCommand, { Key: REF_KEY }).resolves({ Attributes: linked });
    ddb.on(UpdateCommand, { Key: ITEM_KEY }).resolves({});
    expect(await repo.advanceStatus(status('delivered', false))).toBeUndefined();
    expect(calls().updates.map((input) => input.ReturnValues)).toEqual(['ALL_NEW', undefined]);

    ddb.reset();
    ddb.on(UpdateCommand, { Key: REF_KEY }).resolves({ Attributes: linked });
    ddb.on(UpdateCommand, { Key: ITEM_KEY }).resolves({ Attributes: stored('failed') });
    expect((await repo.advanceStatus(status('failed', false)))?.item.conversationId).toBe('cv_1');
    expect([calls().updates.length, calls().gets]).toEqual([2, 0]);
  });

  it('through the reference, redelivered after a crash: the item read says it is failed', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: REF_KEY }).resolves({
      Item: { customerId: 'cu_1', timelineSk: SK, status: 'failed', statusRank: statusRank('failed') },
    });
    ddb.on(GetCommand, { Key: ITEM_KEY }).resolves({ Item: stored('failed') });
    expect((await repo.advanceStatus(status('failed', false)))?.item.status).toBe('failed');
    expect([calls().updates.length, calls().gets]).toEqual([2, 2]);
  });

  it('through the reference, after read: the reference stops it, no item write', async () => {
    ddb.on(UpdateCommand, { Key: REF_KEY }).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: REF_KEY }).resolves({
      Item: { customerId: 'cu_1', timelineSk: SK, status: 'read', statusRank: statusRank('read') },
    });
    expect(await repo.advanceStatus(status('failed', false))).toBeUndefined();
    expect([calls().updates.length, calls().gets]).toEqual([1, 1]);
  });
});
