import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { deliverWebhook } from '#shared/app/deliver-webhook.js';
import { publishChanges } from '#shared/app/publish-change.js';
import type { DeliveryMessage, Subscription } from '#shared/domain/webhooks.js';
import { createChangeFeedHandler } from '#shared/queue/change-feed-consumer.js';
import { SqsDeliveryQueue } from '#shared/queue/sqs-delivery-queue.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { webhookRepository } from '#shared/store/webhook-repository.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const sqs = mockAws(SQSClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'eu-west-1' })), table: 'threadline' };
const AT = '2026-12-05T09:00:00.000Z';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-webhooks';
const subscription: Subscription = {
  id: 'wh_1',
  url: 'https://hooks.example.com/t',
  events: ['customer.created'],
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'zoe',
  secrets: [{ secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` }],
  consecutiveFailures: 0,
};

/** A stream record of a new customer's profile, as Lambda hands it over. */
const customerCreated = (customerId: string, sequence: string): DynamoDBRecord => {
  const key = Keys.customer(customerId);
  return {
    eventID: `ev-${sequence}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: sequence,
      ApproximateCreationDateTime: Date.parse(AT) / 1000,
      Keys: { pk: { S: key.pk }, sk: { S: key.sk } },
      NewImage: {
        pk: { S: key.pk },
        sk: { S: key.sk },
        entity: { S: 'customer' },
        id: { S: customerId },
        createdAt: { S: AT },
      },
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
};

/**
 * The events function's publisher over the SDK clients (DynamoDB answered by a map, conditions
 * included; SQS recorded), fed the same stream batch again, as Lambda does when a batch fails partway.
 */
describe('events function: a stream batch run again queues each delivery once', () => {
  const items = new Map<string, Record<string, unknown>>();
  const key = (k: Record<string, unknown>) => `${String(k.pk)}|${String(k.sk)}`;
  const refused = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });

  beforeEach(() => {
    items.clear();
    ddb.reset();
    sqs.reset();
    ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown>; ConditionExpression?: string }) => {
      if (input.ConditionExpression === 'attribute_not_exists(pk)' && items.has(key(input.Item))) {
        throw refused();
      }
      items.set(key(input.Item), structuredClone(input.Item));
      return {};
    });
    ddb.on(GetCommand).callsFake((input: { Key: Record<string, unknown> }) => ({
      Item: structuredClone(items.get(key(input.Key))),
    }));
    ddb.on(UpdateCommand).callsFake((input) => {
      const item = items.get(key(input.Key));
      const at = input.ExpressionAttributeValues?.[':at'];
      if (input.UpdateExpression === 'SET queuedAt = :at') {
        if (!item || item.queuedAt || item.status !== 'pending' || item.attempts !== 0) throw refused();
        item.queuedAt = at;
        return {};
      }
      if (input.UpdateExpression === 'REMOVE queuedAt') {
        if (!item || item.queuedAt !== at || item.attempts !== 0) throw refused();
        delete item.queuedAt;
        return {};
      }
      throw new Error(`unexpected update ${input.UpdateExpression}`);
    });
  });

  const store = webhookRepository(db);
  const client = new SQSClient({ region: 'eu-west-1' });
  const queue = new SqsDeliveryQueue((input) => client.send(new SendMessageCommand(input)), QUEUE);
  const handler = createChangeFeedHandler(
    publishChanges({
      subscriptions: async () => [subscription],
      store,
      queue,
      clock: { now: () => new Date(AT) },
      log: () => {},
    }),
  );
  const sent = () =>
    sqs
      .commandCalls(SendMessageCommand)
      .map((call) => JSON.parse(call.args[0].input.MessageBody ?? '{}') as DeliveryMessage);
  const batch: DynamoDBStreamEvent = {
    Records: [customerCreated('cu_1', '100'), customerCreated('cu_2', '200')],
  };

  it('sends the first record’s delivery once when the batch that failed on the second is run again', async () => {
    sqs
      .on(SendMessageCommand)
      .resolvesOnce({ MessageId: 'm1' })
      .rejectsOnce(new Error('throttled'))
      .resolves({ MessageId: 'm' });
    expect(await handler(batch)).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    // Run again whole (a function error, a timeout), then once more, as a retry after success would be.
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    const ids = sent().map((m) => m.deliveryId);
    // Three sends: cu_1's, cu_2's refused, cu_2's again; none of cu_1's twice.
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(2);
    expect(ids[1]).toBe(ids[2]);
  });

  it('and the consumer posts a delivery once, whatever message of it comes again', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await handler(batch);
    await handler(batch);
    const [message] = sent() as [DeliveryMessage];
    const posts: string[] = [];
    const deps = {
      store,
      queue,
      post: async (request: { headers: Record<string, string> }) => {
        posts.push(request.headers['webhook-id'] ?? '');
        return { kind: 'answered' as const, status: 200 };
      },
      sign: () => 'v1,c2lnbmVk',
      isErased: async () => false,
      clock: { now: () => new Date(AT) },
      random: () => 0.5,
      log: () => {},
    };
    items.set(key({ pk: `WEBHOOK#${subscription.id}`, sk: 'WEBHOOK' }), { ...subscription });
    await deliverWebhook(deps, message);
    await deliverWebhook(deps, message);
    expect(posts).toEqual([message.deliveryId]);
    expect(sent()).toHaveLength(2);
  });
});
