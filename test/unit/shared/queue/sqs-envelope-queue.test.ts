import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  QueueDoesNotExist,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type Envelope, EnvelopeSchema } from '#shared/domain/envelope.js';
import { PayloadTooLargeError, UnavailableError } from '#shared/errors.js';
import { LocalEnvelopeQueue } from '#shared/local/local-envelope-queue.js';
import { LocalQueue } from '#shared/local/queue.js';
import {
  entryBytes,
  SQS_MAX_MESSAGE_BYTES,
  SqsEnvelopeQueue,
  sendMessageBatchInputs,
} from '#shared/queue/sqs-envelope-queue.js';
import { sdkSendMessageBatch } from '#shared/queue/sqs-sdk-batch.js';
import { mockAws } from '../../../support/aws-mock.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-inbound';
const TEXT = 'Hello, my order has not arrived';

function message(n: number, text = TEXT): Envelope {
  return EnvelopeSchema.parse({
    id: `whatsapp:msg:wamid.${n}`,
    provider: 'whatsapp',
    channel: 'whatsapp',
    occurredAt: '2025-06-08T20:59:43.000Z',
    receivedAt: '2025-06-08T21:00:00.000Z',
    rawRef: `whatsapp:test#/entry/0/changes/0/value/messages/${n}`,
    kind: 'message',
    direction: 'inbound',
    providerMessageId: `wamid.${n}`,
    customer: { kind: 'phone', value: '+16505551234' },
    contentType: 'text',
    text,
  });
}

const missing = (id: number): never => {
  throw new Error(`no envelope ${id}`);
};

const messages = (count: number) => Array.from({ length: count }, (_, n) => message(n));

/** The entry expected for `envelopes[id]`. */
const entry = (envelopes: readonly Envelope[], id: number) => ({
  Id: String(id),
  MessageBody: JSON.stringify(envelopes[id] ?? missing(id)),
  MessageAttributes: {
    kind: { DataType: 'String', StringValue: 'message' },
    channel: { DataType: 'String', StringValue: 'whatsapp' },
  },
});

/** SQS accepting every entry except those `failing` picks. */
const answer =
  (failing: (id: string) => boolean = () => false) =>
  (input: SendMessageBatchCommandInput) => {
    const entries = input.Entries ?? [];
    const ids = entries.map((e) => e.Id ?? '');
    return {
      Successful: ids
        .filter((id) => !failing(id))
        .map((Id) => ({ Id, MessageId: `m-${Id}`, MD5OfMessageBody: 'x' })),
      Failed: ids
        .filter(failing)
        .map((Id) => ({ Id, SenderFault: false, Code: 'InternalError', Message: 'try again' })),
    };
  };

describe('SqsEnvelopeQueue', () => {
  const sqs = mockAws(SQSClient);
  let sleep: ReturnType<typeof vi.fn<(ms: number) => Promise<void>>>;
  let queue: SqsEnvelopeQueue;
  const sent = () => sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);

  beforeEach(() => {
    sqs.reset();
    sleep = vi.fn(async (_ms: number) => {});
    queue = new SqsEnvelopeQueue(sdkSendMessageBatch(new SQSClient({ region: 'eu-west-1' })), QUEUE_URL, {
      sleep,
    });
  });

  it('sends each envelope as one entry: its JSON as body, kind and channel as attributes', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(answer());
    const envelopes = [message(0), message(1)];
    await queue.enqueue(envelopes);

    expect(sent()).toEqual([{ QueueUrl: QUEUE_URL, Entries: [entry(envelopes, 0), entry(envelopes, 1)] }]);
    expect(EnvelopeSchema.parse(JSON.parse(sent()[0]?.Entries?.[0]?.MessageBody ?? ''))).toEqual(
      envelopes[0],
    );
  });

  it('delays every entry by DelaySeconds when asked (a deletion queued again for a later look)', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(answer());
    const envelopes = [message(0)];
    await queue.enqueue(envelopes, { delaySeconds: 60 });
    expect(sent()).toEqual([
      { QueueUrl: QUEUE_URL, Entries: [{ ...entry(envelopes, 0), DelaySeconds: 60 }] },
    ]);
  });

  it('splits 23 envelopes into batches of 10, 10 and 3, with ids numbering the whole call', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(answer());
    await queue.enqueue(messages(23));
    expect(sent().map((input) => input.Entries?.map((e) => e.Id))).toEqual([
      ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      ['10', '11', '12', '13', '14', '15', '16', '17', '18', '19'],
      ['20', '21', '22'],
    ]);
  });

  it('splits a batch that would exceed 1 MiB in all', () => {
    const big = Array.from({ length: 5 }, (_, n) => message(n, 'x'.repeat(300_000)));
    const inputs = sendMessageBatchInputs(QUEUE_URL, big);
    expect(inputs.map((input) => input.Entries.length)).toEqual([3, 2]);
    for (const input of inputs) {
      expect(input.Entries.reduce((sum, e) => sum + entryBytes(e), 0)).toBeLessThanOrEqual(
        SQS_MAX_MESSAGE_BYTES,
      );
    }
  });

  it('sends nothing when there is nothing to queue', async () => {
    await queue.enqueue([]);
    expect(sent()).toEqual([]);
  });

  it('refuses an envelope larger than SQS accepts and sends nothing', async () => {
    await expect(queue.enqueue([message(0), message(1, 'x'.repeat(SQS_MAX_MESSAGE_BYTES))])).rejects.toThrow(
      PayloadTooLargeError,
    );
    expect(sent()).toEqual([]);
  });

  it('resends only the entries SQS reported as failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .callsFakeOnce(answer((id) => id === '1'))
      .callsFake(answer());
    const envelopes = messages(3);
    await queue.enqueue(envelopes);

    expect(sent().map((input) => input.Entries)).toEqual([
      [entry(envelopes, 0), entry(envelopes, 1), entry(envelopes, 2)],
      [entry(envelopes, 1)],
    ]);
    expect(sleep.mock.calls).toEqual([[50]]);
  });

  it('throws UnavailableError naming how many failed after two retries, without message bodies', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(answer((id) => id !== '0'));
    const error = await queue.enqueue(messages(3)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toBe(
      'SQS did not queue 2 entries after 3 attempts (InternalError)',
    );
    expect((error as UnavailableError).cause).toEqual([
      { Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' },
      { Id: '2', SenderFault: false, Code: 'InternalError', Message: 'try again' },
    ]);
    expect(sent().map((input) => input.Entries?.map((e) => e.Id))).toEqual([
      ['0', '1', '2'],
      ['1', '2'],
      ['1', '2'],
    ]);
    expect(sleep.mock.calls).toEqual([[50], [200]]);
    expect(JSON.stringify(error)).not.toContain(TEXT);
  });

  it('does not retry an entry SQS blames on the sender', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidParameterValue' }],
    });
    await expect(queue.enqueue([message(0)])).rejects.toThrow(
      'SQS did not queue 1 entries after 1 attempts (InvalidParameterValue)',
    );
    expect(sent()).toHaveLength(1);
  });

  it('counts an entry missing from the response as not queued', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});
    await expect(queue.enqueue([message(0)])).rejects.toThrow(UnavailableError);
    expect(sent()).toHaveLength(3);
  });

  it('turns an SDK error into UnavailableError that keeps it as cause', async () => {
    const sdkError = new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} });
    sqs.on(SendMessageBatchCommand).rejects(sdkError);
    const error = await queue.enqueue(messages(2)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toBe('SQS SendMessageBatch failed; 2 entries not queued');
    expect((error as UnavailableError).cause).toBe(sdkError);
    expect(sent()).toHaveLength(1);
  });

  it('retries a whole request that failed with a retryable error, then gives up with 503', async () => {
    const throttled = Object.assign(new Error('throttled'), { retryable: true });
    sqs.on(SendMessageBatchCommand).rejectsOnce(throttled).callsFake(answer());
    const envelopes = messages(2);
    await queue.enqueue(envelopes);
    expect(sent().map((input) => input.Entries)).toEqual([
      [entry(envelopes, 0), entry(envelopes, 1)],
      [entry(envelopes, 0), entry(envelopes, 1)],
    ]);
    expect(sleep.mock.calls).toEqual([[50]]);

    sqs.reset();
    sleep.mockClear();
    sqs.on(SendMessageBatchCommand).rejects(throttled);
    const error = await queue.enqueue(envelopes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).cause).toBe(throttled);
    expect(sent()).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[50], [200]]);
  });
});

describe('LocalEnvelopeQueue', () => {
  it('queues exactly the bodies SqsEnvelopeQueue sends', async () => {
    const local = new LocalQueue({ name: 'threadline-inbound' });
    const envelopes = messages(3);
    await new LocalEnvelopeQueue(local).enqueue(envelopes);
    expect(local.messages().map((m) => m.body)).toEqual(
      sendMessageBatchInputs(QUEUE_URL, envelopes).flatMap((input) =>
        input.Entries.map((e) => e.MessageBody),
      ),
    );
  });

  it('refuses an envelope SQS would refuse, and reports a failing queue as unavailable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-queue-'));
    const local = new LocalQueue({ name: 'threadline-inbound', dir });
    const queue = new LocalEnvelopeQueue(local);
    await expect(queue.enqueue([message(0, 'x'.repeat(SQS_MAX_MESSAGE_BYTES))])).rejects.toThrow(
      PayloadTooLargeError,
    );
    rmSync(dir, { recursive: true });
    const error = await queue.enqueue([message(0)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).cause).toMatchObject({ code: 'ENOENT' });
    expect(local.messages()).toEqual([]);
  });
});
