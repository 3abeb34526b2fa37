import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import { PermanentError, UnavailableError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import { createResolverConsumer } from '#shared/queue/resolver-consumer.js';
import { sqsRecord } from '../../../support/sqs.js';
import { inboundText } from '../../fakes/envelopes.js';
import { MemoryStore } from '../../fakes/memory-store.js';

const record = (messageId: string, body: string) => sqsRecord(messageId, body);

describe('resolver consumer', () => {
  it('reports only the bad records of a batch as failures and applies the rest', async () => {
    const store = new MemoryStore();
    let n = 0;
    const consume = createResolverConsumer((envelope) =>
      receiveEnvelope(
        {
          store,
          clock: { now: () => new Date('2025-06-08T21:00:00.000Z') },
          ids: { customerId: () => `cu_${++n}` },
        },
        envelope,
      ),
    );
    const event: SQSEvent = {
      Records: [
        record('m1', JSON.stringify(inboundText())),
        record('m2', '{not json'),
        record('m3', JSON.stringify({ kind: 'message' })),
        record('m4', JSON.stringify(inboundText({ providerMessageId: 'wamid.IN2' }))),
      ],
    };
    const response = await consume(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }]);
    expect(store.timeline('cu_1').map((i) => i.providerMessageId)).toEqual(['wamid.IN1', 'wamid.IN2']);
  });

  it("hands each envelope its record's receive count: a first receive, or a retry", async () => {
    const counts: number[] = [];
    const consume = createResolverConsumer(async (_envelope, receipt) => {
      counts.push(receipt.receiveCount);
    });
    const retried = record('m2', JSON.stringify(inboundText({ providerMessageId: 'wamid.IN2' })));
    retried.attributes.ApproximateReceiveCount = '3';
    await consume({ Records: [record('m1', JSON.stringify(inboundText())), retried] });
    expect(counts.sort()).toEqual([1, 3]);
  });

  it('fails a record whose storage write fails, so the queue redelivers it', async () => {
    const store = new MemoryStore();
    store.failOnWrite = 1;
    const consume = createResolverConsumer((envelope) =>
      receiveEnvelope(
        {
          store,
          clock: { now: () => new Date('2025-06-08T21:00:00.000Z') },
          ids: { customerId: () => 'cu_1' },
        },
        envelope,
      ),
    );
    const response = await consume({ Records: [record('m1', JSON.stringify(inboundText()))] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('routes each inbound message after applying it, and fails the record when routing fails', async () => {
    const store = new MemoryStore();
    const routed: Array<{ customerId: string; conversationId: string; itemId: string }> = [];
    let fail = false;
    const consume = createResolverConsumer((envelope) =>
      receiveEnvelope(
        {
          store,
          clock: { now: () => new Date('2025-06-08T21:00:00.000Z') },
          ids: { customerId: () => 'cu_1' },
          route: async ({ customerId, conversationId, item }) => {
            if (fail) throw new Error('responder down');
            routed.push({ customerId, conversationId, itemId: item.id });
          },
        },
        envelope,
      ),
    );
    const first = await consume({ Records: [record('m1', JSON.stringify(inboundText()))] });
    expect(first.batchItemFailures).toEqual([]);
    expect(routed).toEqual([
      { customerId: 'cu_1', conversationId: expect.stringMatching(/^cv_/), itemId: 'whatsapp:wamid.IN1' },
    ]);
    fail = true;
    const second = await consume({
      Records: [record('m2', JSON.stringify(inboundText({ providerMessageId: 'wamid.IN2' })))],
    });
    expect(second.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
  });
});

describe('resolver consumer: failures', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs a permanent failure as permanent (ids and codes only), apart from those worth retrying', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const consume = createResolverConsumer(async (envelope) => {
      if (envelope.kind === 'message' && envelope.providerMessageId === 'wamid.BIG')
        throw new PermanentError('DynamoDB PutItem refused');
      throw new UnavailableError('DynamoDB PutItem failed');
    });
    const result = await consume({
      Records: [
        record('m1', JSON.stringify(inboundText({ providerMessageId: 'wamid.BIG' }))),
        record('m2', JSON.stringify(inboundText({ providerMessageId: 'wamid.SLOW' }))),
      ],
    });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m1', 'm2']);
    expect(error).toHaveBeenCalledWith(
      'envelope failed permanently, retrying will not help: see the dead-letter queue',
      expect.objectContaining({
        messageId: 'm1',
        permanent: true,
        error: 'PermanentError',
        code: 'permanent_failure',
      }),
    );
    expect(warn).toHaveBeenCalledWith(
      'envelope failed, will be retried',
      expect.objectContaining({ messageId: 'm2', permanent: false, code: 'unavailable' }),
    );
    expect(error).toHaveBeenCalledTimes(1);
  });
});
