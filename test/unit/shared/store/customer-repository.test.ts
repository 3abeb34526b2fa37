import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { nextConversationId } from '#shared/domain/conversation.js';
import { GoneError, UnavailableError } from '#shared/errors.js';
import { customerRepository } from '#shared/store/customer-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

/** The condition of every profile touch: none lands on a customer whose erasure began. */
const ERASURE_GUARD =
  '(attribute_not_exists(entity) OR entity <> :erased) AND attribute_not_exists(erasingSince)';

const ddb = mockAws(DynamoDBDocumentClient);
const phone = { kind: 'phone', value: '+16505551234' } as const;
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

const repository = () =>
  customerRepository({
    doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })),
    table: 'threadline',
  });

describe('customerRepository', () => {
  beforeEach(() => ddb.reset());

  it('answers false when an identity is already claimed', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    const store = repository();
    await expect(store.claimIdentity(phone, 'cu_1', '2025-01-01T00:00:00.000Z')).resolves.toBe(false);
  });

  it("writes a new conversation's membership before the profile, and nothing more for a known one", async () => {
    ddb.on(PutCommand).resolves({}).on(UpdateCommand).resolves({});
    const store = repository();
    const touch = {
      customerId: 'cu_1',
      identities: [],
      channel: 'sms' as const,
      at: '2025-06-08T20:59:43.000Z',
      now: '2025-06-08T21:00:00.000Z',
      conversationId: 'cv_3',
      inbound: true,
    };
    await store.touchProfile({ ...touch, newConversation: true });
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual(['PutCommand', 'UpdateCommand']);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      pk: 'CUSTOMER#cu_1',
      sk: 'CONVERSATION#cv_3',
    });
    ddb.resetHistory();
    await store.touchProfile({ ...touch, newConversation: false });
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual(['UpdateCommand']);
  });

  it("writes no membership item for the customer's first conversation: its id follows from theirs", async () => {
    ddb.on(PutCommand).resolves({}).on(UpdateCommand).resolves({});
    await repository().touchProfile({
      customerId: 'cu_1',
      identities: [],
      channel: 'sms',
      at: '2025-06-08T20:59:43.000Z',
      now: '2025-06-08T21:00:00.000Z',
      conversationId: nextConversationId('cu_1', undefined),
      newConversation: true,
      inbound: true,
    });
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual(['UpdateCommand']);
  });

  it("writes the name with the profile, and replaces it only when a later event's got there first", async () => {
    const at = '2025-06-08T20:59:43.000Z';
    const touch = {
      customerId: 'cu_1',
      identities: [phone],
      channel: 'whatsapp' as const,
      at,
      now: at,
      conversationId: 'cv_1',
      newConversation: false,
      inbound: true,
      name: { value: 'Ann', at },
    };
    ddb.on(UpdateCommand).resolves({ Attributes: { entity: 'customer', name: 'Ann', nameAt: at } });
    await repository().touchProfile(touch);
    const [first] = ddb.commandCalls(UpdateCommand);
    expect(first?.args[0].input.UpdateExpression).toContain('#name = if_not_exists(#name, :name)');
    expect(first?.args[0].input.ReturnValues).toBe('ALL_NEW');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);

    ddb.reset();
    ddb.on(UpdateCommand).resolves({
      Attributes: { entity: 'customer', name: 'Annie', nameAt: '2025-06-08T21:30:00.000Z' },
    });
    await repository().touchProfile(touch);
    const calls = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.ConditionExpression).toContain('nameAt > :nameAt');
    expect(calls[1]?.ExpressionAttributeValues?.[':name']).toBe('Ann');
  });

  it('moves no current field for an event older than its conversation: the sets and the channel window only', async () => {
    ddb.on(UpdateCommand).resolves({});
    await repository().touchProfile({
      customerId: 'cu_1',
      identities: [phone],
      channel: 'whatsapp',
      at: '2025-06-08T20:59:43.000Z',
      now: '2025-06-08T21:00:00.000Z',
      conversationId: 'cv_1',
      newConversation: false,
      inbound: true,
      stale: true,
    });
    const calls = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.UpdateExpression).not.toContain('openConversationId');
    expect(calls[0]?.UpdateExpression).not.toContain('#open');
    // Only the guard against an erasure begun since the read: no order condition.
    expect(calls[0]?.ConditionExpression).toBe(ERASURE_GUARD);
    expect(calls[1]?.ExpressionAttributeNames).toEqual({ '#channelInbound': 'lastInbound_whatsapp' });
  });

  it('answers a customer being erased as gone to readers, and holds the resolver back until it is', async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        entity: 'customer',
        id: 'cu_1',
        createdAt: '2025-06-01T09:00:00.000Z',
        erasingSince: '2025-06-10T09:00:00.000Z',
      },
    });
    const store = repository();
    await expect(store.getCustomer('cu_1')).rejects.toBeInstanceOf(GoneError);
    await expect(store.mergedPartitions('cu_1')).rejects.toBeInstanceOf(GoneError);
    await expect(store.mergedPartitions('cu_1', { whileErasing: true })).resolves.toEqual(['cu_1']);
    await expect(store.getProfileState('cu_1')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('turns throttling into UnavailableError so the record is retried', async () => {
    ddb
      .on(GetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const store = repository();
    const error = await store.findCustomerId(phone).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).cause).toBeInstanceOf(ProvisionedThroughputExceededException);
  });

  it('retries the profile touch without the conversation pointer for an older event', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    const store = repository();
    await store.touchProfile({
      customerId: 'cu_1',
      identities: [phone],
      channel: 'whatsapp',
      at: '2025-06-08T20:59:43.000Z',
      now: '2025-06-08T21:00:00.000Z',
      conversationId: 'cv_2',
      newConversation: false,
      inbound: true,
    });
    const calls = ddb.calls();
    // The set-only retry, then the channel's reply window moved forward if this is its latest message.
    expect(calls).toHaveLength(3);
    const third = calls[2]?.args[0].input as {
      UpdateExpression: string;
      ExpressionAttributeNames: Record<string, string>;
    };
    expect(third.UpdateExpression).toBe('SET #channelInbound = :at');
    expect(third.ExpressionAttributeNames['#channelInbound']).toBe('lastInbound_whatsapp');
    const second = calls[1]?.args[0].input as { UpdateExpression: string; ConditionExpression?: string };
    expect(second.UpdateExpression).not.toContain('lastInboundAt');
    expect(second.UpdateExpression).not.toContain('#open');
    expect(second.ConditionExpression).toBe(ERASURE_GUARD);
  });
});
