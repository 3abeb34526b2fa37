import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { publishChanges } from '#shared/app/publish-change.js';
import type { Delivery, Subscription } from '#shared/domain/webhooks.js';
import { createChangeFeedHandler } from '#shared/queue/change-feed-consumer.js';
import { SqsDeliveryQueue } from '#shared/queue/sqs-delivery-queue.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { webhookRepository } from '#shared/store/webhook-repository.js';
import { mockAws } from '../../../support/aws-mock.js';
import { streamRecord } from '../../../support/stream-records.js';
import { subscriptionTo } from '../../fakes/webhook-store.js';

const ddb = mockAws(DynamoDBDocumentClient);
const sqs = mockAws(SQSClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'eu-west-1' })), table: 'threadline' };
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-webhooks';
const PHONE = { kind: 'phone', value: '+14155550123' } as const;
const OURS = '+15017120001';
const T1 = '2026-12-07T09:00:00.000Z';
const T2 = '2026-12-07T09:05:00.000Z';
const T3 = '2026-12-07T09:10:00.000Z';

/** The contact state the resolver writes for a keyword texted to our number, under the customer it came from. */
const state = (blocked: boolean, at: string, envelopeId: string, reason: string) => ({
  ...Keys.contactState(PHONE, OURS),
  entity: 'contact_state',
  ...PHONE,
  blocked,
  reason,
  at,
  envelopeId,
  number: OURS,
  customerId: 'cu_1',
});
const stop = state(true, T1, 'twilio:SM01', 'opted out (STOP)');
const stopAgain = state(true, T2, 'twilio:SM02', 'opted out (STOP)');
const start = state(false, T3, 'twilio:SM03', 'opted in (START)');

/**
 * The events function over the SDK clients (DynamoDB answered by a map, SQS recorded) given the stream
 * records of one number's contact state: a STOP, a second STOP (no change), a START. Each change of
 * consent is one event, to every subscription to `*` as to one listing it, noted under the customer
 * (the address is theirs); a record given again makes the same delivery, which is not made twice.
 */
describe('events function: consent changes of the contact states', () => {
  const items = new Map<string, Record<string, unknown>>();
  const key = (k: Record<string, unknown>) => `${String(k.pk)}|${String(k.sk)}`;

  beforeEach(() => {
    items.clear();
    ddb.reset();
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown>; ConditionExpression?: string }) => {
      if (input.ConditionExpression === 'attribute_not_exists(pk)' && items.has(key(input.Item))) {
        throw new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });
      }
      items.set(key(input.Item), structuredClone(input.Item));
      return {};
    });
    ddb.on(GetCommand).callsFake((input: { Key: Record<string, unknown> }) => ({
      Item: structuredClone(items.get(key(input.Key))),
    }));
  });

  const handlerFor = (subscriptions: Subscription[]) => {
    const client = new SQSClient({ region: 'eu-west-1' });
    return createChangeFeedHandler(
      publishChanges({
        subscriptions: async () => subscriptions,
        store: webhookRepository(db),
        queue: new SqsDeliveryQueue((input) => client.send(new SendMessageCommand(input)), QUEUE),
        clock: { now: () => new Date(T3) },
        log: () => {},
      }),
    );
  };
  const deliveries = () =>
    [...items.values()].filter((item) => item.eventType !== undefined) as unknown as Delivery[];

  it('posts contact.opted_out for the STOP, nothing for the STOP again, contact.opted_in for the START', async () => {
    const all = { ...subscriptionTo(['message.received']), id: 'wh_all', events: ['*' as const] };
    const listing = { ...subscriptionTo(['contact.opted_out']), id: 'wh_out' };
    const handler = handlerFor([all, listing]);
    const batch = {
      Records: [
        streamRecord('100', 'INSERT', stop, T1),
        streamRecord('200', 'MODIFY', stopAgain, T2, stop),
        streamRecord('300', 'MODIFY', start, T3, stopAgain),
      ],
    };
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });

    const made = deliveries().map((d) => [d.subscriptionId, d.eventType]);
    expect(made.sort()).toEqual([
      ['wh_all', 'contact.opted_in'],
      ['wh_all', 'contact.opted_out'],
      ['wh_out', 'contact.opted_out'],
    ]);
    const [optedOut] = deliveries().filter(
      (d) => d.subscriptionId === 'wh_all' && d.eventType === 'contact.opted_out',
    );
    expect(optedOut?.event).toMatchObject({
      timestamp: T1,
      data: {
        customerId: 'cu_1',
        channel: 'sms',
        address: PHONE.value,
        ourNumber: OURS,
        reason: 'stop_keyword',
        at: T1,
      },
    });
    const [optedIn] = deliveries().filter((d) => d.eventType === 'contact.opted_in');
    expect(optedIn?.event?.data).toMatchObject({ reason: 'start_keyword', at: T3, ourNumber: OURS });
    // Each delivery noted under the customer (it names their number): their erasure strips it.
    const notes = [...items.keys()].filter((k) => k.startsWith('WEBHOOK_DELIVERY_OF#cu_1|'));
    expect(notes).toHaveLength(3);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(3);

    // The STOP's record given again (a stream retry): the same event id, so no delivery more.
    const before = deliveries().length;
    await handler({ Records: [streamRecord('100', 'INSERT', stop, T1)] });
    expect(deliveries()).toHaveLength(before);
    expect(optedOut?.event?.id).toBe(
      deliveries().find((d) => d.subscriptionId === 'wh_all' && d.eventType === 'contact.opted_out')?.event
        ?.id,
    );
  });

  it('tells an email suppression as contact.opted_out, reason bounce or complaint, for every number (null)', async () => {
    const email = { kind: 'email', value: 'dana@example.com' } as const;
    const bounce = {
      ...Keys.contactState(email),
      entity: 'contact_state',
      ...email,
      blocked: true,
      reason: 'bounce:Permanent:General',
      at: T1,
      envelopeId: 'ses:suppressed:0100abc:bounce:1f2e',
      customerId: 'cu_1',
    };
    await handlerFor([{ ...subscriptionTo(['contact.opted_out']), id: 'wh_out' }])({
      Records: [streamRecord('400', 'INSERT', bounce, T1)],
    });
    expect(deliveries().map((d) => d.event?.data)).toEqual([
      {
        customerId: 'cu_1',
        channel: 'email',
        address: 'dana@example.com',
        ourNumber: null,
        reason: 'bounce',
        at: T1,
      },
    ]);
  });
});
