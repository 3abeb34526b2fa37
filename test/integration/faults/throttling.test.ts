import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import { LocalQueue } from '#shared/local/queue.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { createResolverConsumer } from '#shared/queue/resolver-consumer.js';
import { SqsEnvelopeQueue } from '#shared/queue/sqs-envelope-queue.js';
import { SqsMailQueue } from '#shared/queue/sqs-mail-queue.js';
import { sdkSendMessageBatch } from '#shared/queue/sqs-sdk-batch.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { randomIds } from '#shared/store/ids.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { FlakySqs } from '../../support/flaky-sqs.js';
import { ManualTimers } from '../../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../../support/runtime.js';
import { type Item, inspectionClient, scanTable } from '../../support/table-snapshot.js';
import { useThrottledRuntime } from '../../support/throttled-runtime.js';
import {
  deliver,
  instagramText,
  type SignedRequest,
  sesReceived,
  signedMeta,
  signedSes,
  signedTwilio,
  snsNotification,
  twilioSms,
  waitUntil,
  whatsappText,
} from '../../support/webhooks.js';
import { inboundText } from '../../unit/fakes/envelopes.js';

const TABLE = 'threadline';
const now = () => new Date().toISOString();
const ofEntity = (items: Item[], entity: string) => items.filter((item) => item.entity === entity);
const timelineIds = (items: Item[]) =>
  ofEntity(items, 'timeline')
    .map((item) => String(item.id))
    .sort();

describe('SQS send failures: the webhook answers 503, queues nothing, and the provider’s retry lands once', () => {
  let runtime: LocalRuntime;
  let inspect: DynamoDBClient;
  // The production adapter (SqsEnvelopeQueue) in the local runtime, over an SQS that fails on demand.
  const sqs = new FlakySqs(() => runtime.inbound);
  // The SES webhook's mail queue is SQS too, and goes down with it.
  const mailSqs = new FlakySqs(() => runtime.mail);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      wrapInboundQueue: () =>
        new SqsEnvelopeQueue(
          sdkSendMessageBatch(sqs.asClient()),
          'https://sqs.local/000000000000/threadline-inbound',
          {
            sleep: async () => {},
          },
        ),
      wrapMailQueue: () =>
        new SqsMailQueue(
          sdkSendMessageBatch(mailSqs.asClient()),
          'https://sqs.local/000000000000/threadline-mail',
          {
            sleep: async () => {},
          },
        ),
    });
    inspect = inspectionClient(runtime.dynamoEndpoint);
  }, 60_000);

  afterAll(async () => {
    inspect?.destroy();
    await runtime?.close();
  }, 60_000);

  it('answers 503 on every webhook while SQS is down and stores nothing; the retries are taken once', async () => {
    const at = now();
    const requests: Record<string, SignedRequest> = {
      whatsapp: signedMeta(
        runtime.url,
        '/webhooks/whatsapp',
        whatsappText({ from: '14155550111', messages: [{ id: 'wamid.DOWN1', at, text: 'Hello?' }] }),
        SECRETS.meta,
      ),
      sms: signedTwilio(
        `${runtime.url}/webhooks/twilio/sms`,
        twilioSms({ sid: 'SM000000000000000000000000000DOWN1', from: '+14155550111', text: 'Hello by SMS' }),
        SECRETS.twilio,
      ),
      instagram: signedMeta(
        runtime.url,
        '/webhooks/meta',
        instagramText({ sender: '5550111', mid: 'aWdfRE9XTjE', at, text: 'Hello from Instagram' }),
        SECRETS.meta,
      ),
      email: signedSes(
        runtime.url,
        snsNotification(
          sesReceived({
            sesId: 'ses-down-1',
            at,
            from: 'Rita <rita@example.com>',
            messageId: '<down-1@example.com>',
            text: 'Hello by email',
          }),
          { snsId: 'sns-down-1', at },
        ),
      ),
    };

    sqs.mode = 'down';
    mailSqs.mode = 'down';
    for (const [name, request] of Object.entries(requests)) {
      const answer = await deliver(request);
      expect(answer.status, `${name} while SQS is down`).toBe(503);
      expect(JSON.parse(answer.body), name).toMatchObject({ error: { code: 'unavailable' } });
    }
    // Nothing half-stored: nothing queued, so nothing reaches the table.
    expect(sqs.queued).toBe(0);
    expect(mailSqs.queued).toBe(0);
    expect(runtime.inbound.messages()).toEqual([]);
    expect(runtime.mail.messages()).toEqual([]);
    await runtime.idle();
    expect(await scanTable(inspect, TABLE)).toEqual([]);

    // SQS is back; each provider retries its request as it was.
    sqs.mode = 'up';
    mailSqs.mode = 'up';
    for (const [name, request] of Object.entries(requests)) {
      const answer = await deliver(request);
      expect(answer.status, `${name} once SQS is back`).toBeLessThan(300);
    }
    await runtime.idle();
    const items = await scanTable(inspect, TABLE);
    expect(timelineIds(items)).toEqual([
      'email:ses-down-1',
      'instagram:aWdfRE9XTjE',
      'sms:SM000000000000000000000000000DOWN1',
      'whatsapp:wamid.DOWN1',
    ]);
    expect(ofEntity(items, 'customer')).toHaveLength(3);
    expect(runtime.deadLetter.messages()).toEqual([]);
  }, 60_000);

  it('answers 503 when SQS takes a batch only in part; the retry completes it with nothing twice', async () => {
    const at = now();
    const request = signedMeta(
      runtime.url,
      '/webhooks/whatsapp',
      whatsappText({
        from: '14155550122',
        messages: [
          { id: 'wamid.PART1', at, text: 'first of two' },
          { id: 'wamid.PART2', at, text: 'second of two' },
        ],
      }),
      SECRETS.meta,
    );
    const mine = (items: Item[]) => timelineIds(items).filter((id) => id.includes('PART'));

    sqs.mode = 'partial';
    sqs.refuse = (body) => body.includes('wamid.PART2');
    const queuedBefore = sqs.queued;
    const callsBefore = sqs.calls;
    expect((await deliver(request)).status).toBe(503);
    // The adapter resent the refused entry (its default two retries) before giving up.
    expect(sqs.calls - callsBefore).toBe(3);
    // SQS semantics: the entry it took is queued even though the request failed; the provider retries.
    expect(sqs.queued - queuedBefore).toBe(1);
    expect(JSON.parse(sqs.bodies.at(-1) ?? '{}')).toMatchObject({ providerMessageId: 'wamid.PART1' });
    await runtime.idle();
    expect(mine(await scanTable(inspect, TABLE))).toEqual(['whatsapp:wamid.PART1']);

    sqs.mode = 'up';
    expect((await deliver(request)).status).toBe(200);
    await runtime.idle();
    const items = await scanTable(inspect, TABLE);
    expect(mine(items)).toEqual(['whatsapp:wamid.PART1', 'whatsapp:wamid.PART2']);
    const customers = ofEntity(items, 'customer').filter((c) =>
      (c.identities as Set<string>).has('phone#+14155550122'),
    );
    expect(customers).toHaveLength(1);
    expect(runtime.deadLetter.messages()).toEqual([]);
  }, 60_000);
});

describe('DynamoDB throttling: the resolver’s record fails and is retried until it succeeds', () => {
  const env = useThrottledRuntime();

  /** Posts one WhatsApp text while DynamoDB throttles, lets it fail `receives` times, then lifts the throttle. */
  const throttledDelivery = async (phone: string, wamid: string, receives: number) => {
    const answer = await deliver(
      signedMeta(
        env.runtime.url,
        '/webhooks/whatsapp',
        whatsappText({ from: phone, messages: [{ id: wamid, at: now(), text: 'Is anybody there?' }] }),
        SECRETS.meta,
      ),
    );
    // The webhook does no DynamoDB: it acknowledges whatever the table is doing.
    expect(answer.status).toBe(200);
    await waitUntil(
      () => (env.runtime.inbound.messages()[0]?.receiveCount ?? 0) >= receives,
      `the record to be received ${receives} times`,
    );
    expect(env.runtime.deadLetter.messages()).toEqual([]);
    return scanTable(env.inspect, TABLE);
  };

  const expectOnce = (items: Item[], phone: string, wamid: string) => {
    const identity = ofEntity(items, 'identity').filter((i) => i.value === `+${phone}`);
    expect(identity).toHaveLength(1);
    const customerId = identity[0]?.customerId;
    expect(ofEntity(items, 'customer').filter((c) => c.id === customerId)).toHaveLength(1);
    expect(ofEntity(items, 'conversation').filter((c) => c.customerId === customerId)).toHaveLength(1);
    expect(timelineIds(items).filter((id) => id === `whatsapp:${wamid}`)).toHaveLength(1);
    expect(ofEntity(items, 'timeline').filter((t) => t.customerId === customerId)).toHaveLength(1);
  };

  it('throttled from the first call: nothing is written until it stops, then the record lands once', async () => {
    const throttledBefore = env.faults.throttled;
    env.throttle = () => true;
    const during = await throttledDelivery('14155550133', 'wamid.THROTTLED1', 3);
    expect(env.faults.throttled - throttledBefore).toBeGreaterThanOrEqual(3);
    expect(timelineIds(during)).not.toContain('whatsapp:wamid.THROTTLED1');

    env.throttle = () => false;
    await env.runtime.idle();
    expectOnce(await scanTable(env.inspect, TABLE), '14155550133', 'wamid.THROTTLED1');
    expect(env.runtime.deadLetter.messages()).toEqual([]);
  }, 60_000);

  it('throttled after two writes landed: the retries complete the half-applied record, nothing twice', async () => {
    const landed = env.faults.writes;
    // Reads pass; the identity claim and the timeline item (written by its key alone: WhatsApp times
    // it) land, every later write is throttled.
    env.throttle = ({ isWrite }) => isWrite && env.faults.writes >= landed + 2;
    const during = await throttledDelivery('14155550144', 'wamid.THROTTLED2', 3);
    // Half applied: the claim and the timeline item are there, the conversation and profile are not.
    const claimed = ofEntity(during, 'identity').find((i) => i.value === '+14155550144');
    expect(claimed).toBeDefined();
    expect(timelineIds(during)).toContain('whatsapp:wamid.THROTTLED2');
    expect(ofEntity(during, 'conversation').filter((c) => c.customerId === claimed?.customerId)).toEqual([]);
    expect(ofEntity(during, 'customer').filter((c) => c.id === claimed?.customerId)).toEqual([]);
    env.throttle = () => false;
    await env.runtime.idle();
    expectOnce(await scanTable(env.inspect, TABLE), '14155550144', 'wamid.THROTTLED2');
    expect(env.runtime.deadLetter.messages()).toEqual([]);
  }, 60_000);
});

describe('a poison message', () => {
  it('reaches the dead-letter queue after maxReceiveCount receives without holding back its batch', async () => {
    const MAX_RECEIVES = 3;
    const VISIBILITY_MS = 30_000;
    const table = 'threadline-poison';
    const dynamo = await startLocalDynamo({ tableName: table });
    const timers = new ManualTimers();
    const deadLetter = new LocalQueue({ name: 'poison-dlq', timers });
    const queue = new LocalQueue({
      name: 'poison-inbound',
      deadLetter,
      maxReceiveCount: MAX_RECEIVES,
      visibilityTimeoutMs: VISIBILITY_MS,
      pollIntervalMs: VISIBILITY_MS,
      timers,
      log: () => {},
    });
    const deps = {
      store: storePorts(dynamoRepositories(documentClient(dynamo.client), table)),
      clock: { now: () => new Date() },
      ids: randomIds,
    };
    const consumer = createResolverConsumer((envelope) => receiveEnvelope(deps, envelope));
    const batches: Array<{ records: Array<{ id: string; receives: number }>; failed: string[] }> = [];
    let inFlight = 0;
    queue.start(async (event) => {
      inFlight += 1;
      try {
        const response = await consumer(event);
        batches.push({
          records: event.Records.map((r) => ({
            id: r.messageId,
            receives: Number(r.attributes.ApproximateReceiveCount),
          })),
          failed: response.batchItemFailures.map((f) => f.itemIdentifier),
        });
        return response;
      } finally {
        inFlight -= 1;
      }
    });
    const settledAfter = (count: number) =>
      waitUntil(
        () => batches.length === count && inFlight === 0 && queue.messages().every((m) => m.receiveCount > 0),
        `batch ${count} to settle`,
      );

    try {
      const bodies = [
        JSON.stringify(inboundText({ providerMessageId: 'wamid.GOOD1' })),
        'this is not JSON',
        JSON.stringify({ kind: 'message', id: 'not an envelope' }),
        JSON.stringify(
          inboundText({ providerMessageId: 'wamid.GOOD2', occurredAt: '2025-06-08T21:00:00.000Z' }),
        ),
      ];
      const ids = await queue.send(bodies);
      const poison = [ids[1], ids[2]] as string[];

      // First receive: one batch of all four; only the two poison records fail, the others are applied.
      await settledAfter(1);
      expect(batches[0]?.records.map((r) => r.id)).toEqual(ids);
      expect(batches[0]?.failed.sort()).toEqual([...poison].sort());
      expect(
        queue
          .messages()
          .map((m) => m.messageId)
          .sort(),
      ).toEqual([...poison].sort());
      expect(timelineIds(await scanTable(dynamo.client, table))).toEqual([
        'whatsapp:wamid.GOOD1',
        'whatsapp:wamid.GOOD2',
      ]);

      // Each visibility timeout brings back only the poison, until maxReceiveCount receives.
      for (let receive = 2; receive <= MAX_RECEIVES; receive++) {
        timers.advance(VISIBILITY_MS);
        await settledAfter(receive);
        expect(batches[receive - 1]?.records.map((r) => r.id).sort()).toEqual([...poison].sort());
        expect(batches[receive - 1]?.records.every((r) => r.receives === receive)).toBe(true);
      }
      // The next receive moves them to the dead-letter queue instead of the consumer.
      timers.advance(VISIBILITY_MS);
      await queue.idle();
      expect(batches).toHaveLength(MAX_RECEIVES);
      const dead = deadLetter.messages();
      expect(dead.map((m) => m.messageId).sort()).toEqual([...poison].sort());
      expect(dead.map((m) => m.body).sort()).toEqual([bodies[1], bodies[2]].sort());
      // The good records were applied once, on their first receive, and never redelivered.
      expect(timelineIds(await scanTable(dynamo.client, table))).toEqual([
        'whatsapp:wamid.GOOD1',
        'whatsapp:wamid.GOOD2',
      ]);
      for (const id of [ids[0], ids[3]]) {
        expect(batches.flatMap((b) => b.records).filter((r) => r.id === id)).toHaveLength(1);
      }
    } finally {
      await queue.stop();
      await dynamo.close();
    }
  }, 60_000);
});
