import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent, SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { deliverWebhook } from '#shared/app/deliver-webhook.js';
import { publishChanges } from '#shared/app/publish-change.js';
import type { DeliveryMessage } from '#shared/domain/webhooks.js';
import { createChangeFeedHandler } from '#shared/queue/change-feed-consumer.js';
import { SqsDeliveryQueue } from '#shared/queue/sqs-delivery-queue.js';
import { createWebhookConsumer } from '#shared/queue/webhook-consumer.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { webhookRepository } from '#shared/store/webhook-repository.js';
import { mockAws } from '../../../support/aws-mock.js';
import { subscriptionTo } from '../../fakes/webhook-store.js';

const ddb = mockAws(DynamoDBDocumentClient);
const sqs = mockAws(SQSClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'eu-west-1' })), table: 'threadline' };
const AT = '2026-12-05T09:00:00.000Z';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-webhooks';
const subscription = subscriptionTo(['customer.created']);

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
  let now = AT;
  /** The next write of a delivery's outcome fails, as a process dying then never makes it. */
  let failNextOutcome = false;
  const key = (k: Record<string, unknown>) => `${String(k.pk)}|${String(k.sk)}`;
  const refused = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });

  beforeEach(() => {
    now = AT;
    failNextOutcome = false;
    items.clear();
    ddb.reset();
    sqs.reset();
    ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown>; ConditionExpression?: string }) => {
      if (failNextOutcome && input.Item.status === 'delivered') {
        failNextOutcome = false;
        throw new Error('process died');
      }
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
      const claim = input.ExpressionAttributeValues?.[':claim'];
      if (input.UpdateExpression === 'SET queuedAt = :at') {
        const untried =
          item?.status === 'pending' && item.attempts === 0 && !item.lastAttemptAt && !item.nextAttemptAt;
        if (!item || !untried || (claim === undefined ? item.queuedAt : item.queuedAt !== claim)) {
          throw refused();
        }
        item.queuedAt = at;
        return {};
      }
      if (input.UpdateExpression === 'ADD consecutiveFailures :one' && item) {
        item.consecutiveFailures = Number(item.consecutiveFailures ?? 0) + 1;
        return { Attributes: { consecutiveFailures: item.consecutiveFailures } };
      }
      if (input.UpdateExpression === 'SET consecutiveFailures = :zero REMOVE circuitOpenUntil' && item) {
        item.consecutiveFailures = 0;
        return {};
      }
      if (input.UpdateExpression === 'SET circuitOpenUntil = :until' && item) {
        item.circuitOpenUntil = input.ExpressionAttributeValues?.[':until'];
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
      clock: { now: () => new Date(now) },
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
    // The runs again find cu_1's delivery claimed and not yet tried: each queues a check for when the
    // claim's lease ends (it sends only a delivery still never tried then), never its message again.
    const checks = sent().filter((m) => m.claim !== undefined);
    expect(checks.map((m) => m.dueAt)).toEqual(Array(3).fill('2026-12-05T09:15:00.000Z'));
    // cu_1's twice, cu_2's (claimed by the second run) once.
    expect(new Set(checks.map((m) => m.deliveryId)).size).toBe(2);
    const ids = sent()
      .filter((m) => m.claim === undefined)
      .map((m) => m.deliveryId);
    // Three sends: cu_1's, cu_2's refused, cu_2's again; none of cu_1's twice.
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(2);
    expect(ids[1]).toBe(ids[2]);
  });

  /** The webhooks function's deliverer over the same clients; `posts` holds each request's webhook-id. */
  const deliverer = () => {
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
      clock: { now: () => new Date(now) },
      random: () => 0.5,
      log: () => {},
    };
    items.set(key({ pk: `WEBHOOK#${subscription.id}`, sk: 'WEBHOOK' }), { ...subscription });
    return { deps, posts };
  };

  it('and the consumer posts a delivery once, whatever message of it comes again', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await handler(batch);
    await handler(batch);
    const [message] = sent() as [DeliveryMessage];
    const { deps, posts } = deliverer();
    await deliverWebhook(deps, message);
    await deliverWebhook(deps, message);
    expect(posts).toEqual([message.deliveryId]);
    expect(sent().filter((m) => m.claim === undefined)).toHaveLength(2);
  });

  it('posts again, with the same webhook-id, a delivery whose outcome was never written (the process died)', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await handler({ Records: [customerCreated('cu_1', '100')] });
    const [message] = sent() as [DeliveryMessage];
    const { deps, posts } = deliverer();
    const consume = createWebhookConsumer((m) => deliverWebhook(deps, m));
    const record = { messageId: 'sqs-1', body: JSON.stringify(message) } as SQSRecord;
    // The endpoint answered 200; the write of the outcome fails, as a process dying then never makes it.
    failNextOutcome = true;
    expect(await consume({ Records: [record] })).toEqual({
      batchItemFailures: [{ itemIdentifier: 'sqs-1' }],
    });
    // SQS hands the message over again once its visibility timeout ends: sent again, late, not lost.
    expect(await consume({ Records: [record] })).toEqual({ batchItemFailures: [] });
    expect(posts).toEqual([message.deliveryId, message.deliveryId]);
    const stored = [...items.values()].find((item) => item.id === message.deliveryId);
    expect(stored).toMatchObject({ status: 'delivered', attempts: 1 });
  });
  it('delivers, late, a delivery whose function died between its claim and its message', async () => {
    // The send fails and the claim is never let go: the process is gone (a timeout at that moment).
    sqs.on(SendMessageCommand).rejectsOnce(new Error('timed out')).resolves({ MessageId: 'm' });
    ddb.on(UpdateCommand, { UpdateExpression: 'REMOVE queuedAt' }).rejects(new Error('timed out'));
    const one = { Records: [customerCreated('cu_1', '100')] };
    expect(await handler(one)).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
    now = '2026-12-05T09:00:05.000Z';
    expect(await handler(one)).toEqual({ batchItemFailures: [] });
    // The stream's retry finds the claim within its lease: a check is queued for when the lease ends.
    const [, check] = sent() as [DeliveryMessage, DeliveryMessage];
    expect(check).toMatchObject({ claim: AT, dueAt: '2026-12-05T09:15:00.000Z' });
    expect(sqs.commandCalls(SendMessageCommand)[1]?.args[0].input.DelaySeconds).toBe(895);
    // Run again within the lease: one more check of the same claim; both come due.
    expect(await handler(one)).toEqual({ batchItemFailures: [] });
    const checks = sent().slice(1);
    expect(checks).toHaveLength(2);
    now = '2026-12-05T09:15:00.000Z';
    const { deps, posts } = deliverer();
    await Promise.all(checks.map((message) => deliverWebhook(deps, message)));
    expect(posts).toEqual([check.deliveryId]);
    // Once tried, the change delivered again queues nothing more.
    expect(await handler(one)).toEqual({ batchItemFailures: [] });
    expect(sent()).toHaveLength(3);
  });

  /** A new customer's record run twice, 5 s apart: its delivery's message, then a check of its claim. */
  const claimedTwice = async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const one = { Records: [customerCreated('cu_1', '100')] };
    await handler(one);
    now = '2026-12-05T09:00:05.000Z';
    await handler(one);
    return sent() as [DeliveryMessage, DeliveryMessage];
  };

  it('sends nothing twice for a check whose delivery was sent meanwhile (its message was only slow)', async () => {
    const [message, check] = await claimedTwice();
    const { deps, posts } = deliverer();
    await deliverWebhook(deps, message);
    now = '2026-12-05T09:15:00.000Z';
    await deliverWebhook(deps, check);
    expect(posts).toEqual([message.deliveryId]);
    expect(sent()).toHaveLength(2);
  });

  it('checks again, later, a delivery whose check died after taking the claim over', async () => {
    const [message, check] = await claimedTwice();
    now = '2026-12-05T09:15:00.000Z';
    const { deps, posts } = deliverer();
    // The takeover lands, then the process dies before it posts: SQS hands the check over again.
    const post = deps.post;
    deps.post = async () => {
      throw new Error('process died');
    };
    await expect(deliverWebhook(deps, check)).rejects.toThrow('process died');
    deps.post = post;
    await deliverWebhook(deps, check);
    expect(posts).toEqual([]);
    const [, , again] = sent() as [DeliveryMessage, DeliveryMessage, DeliveryMessage];
    expect(again).toMatchObject({ claim: '2026-12-05T09:15:00.000Z', dueAt: '2026-12-05T09:30:00.000Z' });
    now = '2026-12-05T09:30:00.000Z';
    await deliverWebhook(deps, again);
    // The first message, arriving after all that, finds it delivered.
    await deliverWebhook(deps, message);
    expect(posts).toEqual([message.deliveryId]);
  });

  /** The endpoint answers these statuses in turn, then 200. */
  const answering = (deps: ReturnType<typeof deliverer>['deps'], ...statuses: number[]) => {
    const post = deps.post;
    deps.post = async (request) => {
      const status = statuses.shift();
      if (status === undefined) return post(request);
      await post(request);
      return { kind: 'answered' as const, status };
    };
  };

  it('sends nothing for a message slower than its claim’s lease once a check took the claim over', async () => {
    const [message, check] = await claimedTwice();
    // The message carries the claim it was queued under.
    expect(message.queuedAt).toBe(AT);
    now = '2026-12-05T09:15:00.000Z';
    const { deps, posts } = deliverer();
    answering(deps, 500);
    await deliverWebhook(deps, check);
    expect(posts).toEqual([check.deliveryId]);
    const retry = sent().at(-1) as DeliveryMessage;
    expect(retry).toMatchObject({ queuedAt: '2026-12-05T09:15:00.000Z', dueAt: expect.any(String) });
    // The first message, over 15 minutes in the queue, comes after the check's failed attempt, before
    // its retry: it queues no second chain of retries beside the check's.
    now = '2026-12-05T09:15:02.000Z';
    const queued = sent().length;
    await deliverWebhook(deps, message);
    expect(sent()).toHaveLength(queued);
    now = '2026-12-05T09:15:10.000Z';
    await deliverWebhook(deps, retry);
    expect(posts).toEqual([check.deliveryId, check.deliveryId]);
    const stored = [...items.values()].find((item) => item.id === message.deliveryId);
    expect(stored).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('posts once when a message slower than its claim’s lease and the check of that claim come together', async () => {
    const [message, check] = await claimedTwice();
    now = '2026-12-05T09:15:00.000Z';
    const { deps, posts } = deliverer();
    await Promise.all([deliverWebhook(deps, message), deliverWebhook(deps, check)]);
    expect(posts).toEqual([message.deliveryId]);
  });

  it('renews the claim of a message near its lease’s end, and costs nothing more to one on time', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await handler({ Records: [customerCreated('cu_1', '100'), customerCreated('cu_2', '200')] });
    const [early, late] = sent() as [DeliveryMessage, DeliveryMessage];
    const { deps, posts } = deliverer();
    ddb.resetHistory();
    now = '2026-12-05T09:00:01.000Z';
    await deliverWebhook(deps, early);
    // On time: read the delivery and the subscription, write the outcome; no claim written.
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.calls()).toHaveLength(3);
    // Fourteen and a half minutes in the queue, nobody checked its claim: one conditional write renews
    // it (so a check of it coming now would find it taken), then it posts.
    now = '2026-12-05T09:14:30.000Z';
    await deliverWebhook(deps, late);
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      expect.objectContaining({ ':claim': AT, ':at': now }),
    ]);
    expect(posts).toEqual([early.deliveryId, late.deliveryId]);
  });
  it('keeps one chain of a delivery the open breaker holds back, whatever checks of its claim come meanwhile', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const one = { Records: [customerCreated('cu_1', '100')] };
    await handler(one);
    // The stream hands the record over again twice while the claim holds: two checks, due at 09:15.
    now = '2026-12-05T09:00:05.000Z';
    await handler(one);
    await handler(one);
    const { deps, posts } = deliverer();
    const held = { ...subscription, consecutiveFailures: 8, circuitOpenUntil: '2026-12-05T10:00:00.000Z' };
    items.set(key({ pk: `WEBHOOK#${subscription.id}`, sk: 'WEBHOOK' }), held);
    deps.random = () => 0.9;
    answering(deps, 500, 500);
    // SQS: each message visible once its delay is over, taken in that order, until noon.
    const inputs = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    const queued: Array<{ at: number; message: DeliveryMessage }> = [];
    let seen = 0;
    const collect = () => {
      for (const input of inputs().slice(seen)) {
        const at = Date.parse(now) + (input.DelaySeconds ?? 0) * 1000;
        queued.push({ at, message: JSON.parse(input.MessageBody ?? '{}') as DeliveryMessage });
      }
      seen = inputs().length;
    };
    collect();
    ddb.resetHistory();
    for (let i = 0; i < 100 && queued.length > 0; i++) {
      queued.sort((a, b) => a.at - b.at);
      const next = queued.shift();
      if (!next) break;
      now = new Date(Math.max(next.at, Date.parse(now))).toISOString();
      await deliverWebhook(deps, next.message);
      collect();
    }
    // The hold noted when its attempt is due (one write, on the breaker's path only): the checks,
    // finding it held, take nothing over and queue nothing; one chain, under the first claim, posts.
    const claims = (
      ddb.commandCalls(UpdateCommand) as Array<{
        args: [{ input: { ExpressionAttributeValues?: Record<string, unknown> } }];
      }>
    )
      .map((call) => call.args[0].input.ExpressionAttributeValues?.[':claim'])
      .filter((claim) => claim !== undefined);
    expect(claims).toEqual([]);
    const holds = ddb
      .commandCalls(PutCommand)
      .filter((call) => call.args[0].input.Item?.attempts === 0 && call.args[0].input.Item?.nextAttemptAt);
    expect(holds).toHaveLength(1);
    const own = inputs()
      .map((input) => JSON.parse(input.MessageBody ?? '{}') as DeliveryMessage)
      .filter((m) => m.claim === undefined);
    expect(new Set(own.map((m) => m.queuedAt))).toEqual(new Set([AT]));
    expect(posts).toHaveLength(3);
    const stored = [...items.values()].find((item) => item.id === own[0]?.deliveryId);
    expect(stored).toMatchObject({ status: 'delivered', attempts: 3 });
  });
});
