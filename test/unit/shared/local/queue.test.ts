import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { PayloadTooLargeError, ValidationError } from '#shared/errors.js';
import {
  LocalQueue,
  type LocalQueueOptions,
  type QueueConsumer,
  type QueueLog,
} from '#shared/local/queue.js';
import { ManualTimers } from '../../../support/manual-timers.js';

const T0 = Date.parse('2025-06-08T21:00:00.000Z');
const VISIBILITY = 1_000;
const MiB = 1_048_576;

/** Polls a condition on real time; generous, so a loaded machine does not flake. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Lets every pending promise callback run (the in-memory queue does no I/O). */
const flush = () => new Promise((resolve) => setImmediate(resolve));

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A consumer that records each batch and fails the records `fails` picks (by body and call number). */
function recorder(fails: (body: string, call: number) => boolean = () => false) {
  const calls: SQSRecord[][] = [];
  const consumer: QueueConsumer = async (event) => {
    calls.push(event.Records);
    const call = calls.length;
    return {
      batchItemFailures: event.Records.filter((r) => fails(r.body, call)).map((r) => ({
        itemIdentifier: r.messageId,
      })),
    };
  };
  const bodies = () => calls.map((records) => records.map((r) => r.body));
  return { calls, consumer, bodies };
}

/**
 * Starts `q`'s consumer with its first call hung until the test resolves `hang`; every later call
 * answers `later`. Answers once the first call is made; `calls` records each call's records.
 */
async function startHung(q: LocalQueue, later?: SQSBatchResponse) {
  const hang = deferred<SQSBatchResponse | undefined>();
  const calls: SQSRecord[][] = [];
  q.start(async (event) => {
    calls.push(event.Records);
    return calls.length === 1 ? hang.promise : later;
  });
  await until(() => calls.length === 1);
  return { hang, calls };
}

describe('LocalQueue', () => {
  let timers: ManualTimers;
  let log: Mock<QueueLog>;
  const queues: LocalQueue[] = [];
  const queue = (options: Partial<LocalQueueOptions> = {}): LocalQueue => {
    const q = new LocalQueue({ name: 'orders', timers, log, visibilityTimeoutMs: VISIBILITY, ...options });
    queues.push(q);
    return q;
  };

  beforeEach(() => {
    timers = new ManualTimers(T0);
    log = vi.fn<QueueLog>();
  });

  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop()));
  });

  it('delivers a real SQS event, in batches of at most 10, and deletes what succeeded', async () => {
    const q = queue();
    const bodies = Array.from({ length: 23 }, (_, i) => `m${i}`);
    const ids = await q.send(bodies);
    const { calls, consumer } = recorder();
    q.start(consumer);
    await q.idle();

    expect(calls.map((records) => records.length)).toEqual([10, 10, 3]);
    expect(calls.flat().map((r) => r.messageId)).toEqual(ids);
    expect(calls[0]?.[0]).toEqual({
      messageId: ids[0],
      receiptHandle: expect.any(String),
      body: 'm0',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(T0),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: String(T0),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update('m0').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:orders',
      awsRegion: 'local',
    });
    expect(q.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('honours a smaller batch size and refuses one SQS would not deliver', async () => {
    const q = queue({ batchSize: 4 });
    await q.send(['a', 'b', 'c', 'd', 'e']);
    const { bodies, consumer } = recorder();
    q.start(consumer);
    await q.idle();
    expect(bodies()).toEqual([['a', 'b', 'c', 'd'], ['e']]);
    expect(() => queue({ batchSize: 11 })).toThrow(RangeError);
    expect(() => queue({ batchSize: 0 })).toThrow(RangeError);
  });

  it('keeps a failed message invisible for the visibility timeout, then redelivers it', async () => {
    const q = queue();
    const [id] = await q.send(['a']);
    const { calls, consumer } = recorder((_body, call) => call === 1);
    q.start(consumer);
    await until(() => calls.length === 1);
    await flush();
    expect(q.depth()).toEqual({ visible: 0, inFlight: 1 });

    timers.advance(VISIBILITY - 1);
    await flush();
    expect(calls).toHaveLength(1);

    timers.advance(1);
    await until(() => calls.length === 2);
    const [first, second] = [calls[0]?.[0], calls[1]?.[0]];
    expect(second).toMatchObject({
      messageId: id,
      body: 'a',
      attributes: { ApproximateReceiveCount: '2', ApproximateFirstReceiveTimestamp: String(T0) },
    });
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    await q.idle();
    expect(calls).toHaveLength(2);
  });

  it('redelivers only the records a partial batch response names', async () => {
    const q = queue();
    await q.send(['a', 'b', 'c']);
    const { calls, consumer, bodies } = recorder((body, call) => body === 'b' && call === 1);
    q.start(consumer);
    await until(() => calls.length === 1);
    await flush();
    expect(q.messages().map((m) => m.body)).toEqual(['b']);

    timers.advance(VISIBILITY);
    await q.idle();
    expect(bodies()).toEqual([['a', 'b', 'c'], ['b']]);
  });

  it.each<[string, (records: SQSRecord[]) => Promise<SQSBatchResponse>]>([
    [
      'throws',
      async () => {
        throw new Error('table unavailable');
      },
    ],
    ['names a record not in the batch', async () => ({ batchItemFailures: [{ itemIdentifier: 'nope' }] })],
  ])('redelivers the whole batch when the consumer %s', async (_name, firstCall) => {
    const q = queue();
    await q.send(['a', 'b', 'c']);
    const calls: SQSRecord[][] = [];
    q.start(async (event) => {
      calls.push(event.Records);
      return calls.length === 1 ? firstCall(event.Records) : undefined;
    });
    await until(() => calls.length === 1);
    await flush();
    expect(q.depth()).toEqual({ visible: 0, inFlight: 3 });
    expect(log).toHaveBeenCalledWith('error', expect.stringContaining('whole batch'), expect.anything());

    timers.advance(VISIBILITY);
    await q.idle();
    expect(calls[1]?.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      ['a', '2'],
      ['b', '2'],
      ['c', '2'],
    ]);
  });

  it('makes a message visible again while the consumer hangs, and delivers it when the slot frees', async () => {
    const q = queue();
    await q.send(['a']);
    const { hang, calls } = await startHung(q);

    timers.advance(VISIBILITY);
    await flush();
    expect(q.depth()).toEqual({ visible: 1, inFlight: 0 });
    expect(calls).toHaveLength(1);

    hang.resolve({ batchItemFailures: [{ itemIdentifier: calls[0]?.[0]?.messageId ?? '' }] });
    await q.idle();
    expect(calls.map((records) => records[0]?.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
  });

  it('holds a body from its send until its message is deleted or dead-lettered, in flight included', async () => {
    const dead = queue({ name: 'orders-dlq' });
    const q = queue({ deadLetter: dead, maxReceiveCount: 1 });
    await q.send(['a', 'a', 'b']);
    expect([q.holds('a'), q.holds('b'), q.holds('c')]).toEqual([true, true, false]);
    const { hang, calls } = await startHung(q, { batchItemFailures: [] });
    expect(q.holds('a')).toBe(true);
    const failB = calls[0]?.filter((r) => r.body === 'b').map((r) => ({ itemIdentifier: r.messageId }));
    hang.resolve({ batchItemFailures: failB ?? [] });
    await until(() => !q.holds('a'));
    // 'b' failed its one receive: it moves to the dead-letter queue when next due.
    timers.advance(VISIBILITY);
    await q.idle();
    expect([q.holds('a'), q.holds('b'), dead.holds('b')]).toEqual([false, false, true]);
  });

  it('redelivers a hung message to a free slot when concurrency allows', async () => {
    const q = queue({ concurrency: 2 });
    await q.send(['a']);
    const { hang, calls } = await startHung(q);

    timers.advance(VISIBILITY);
    await until(() => calls.length === 2);
    expect(calls[1]?.[0]?.messageId).toBe(calls[0]?.[0]?.messageId);
    await until(() => q.messages().length === 0);

    // The first receipt is stale now; finishing late must not disturb anything.
    hang.resolve(undefined);
    await q.idle();
    expect(calls).toHaveLength(2);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives, without holding back its batch', async () => {
    const dlq = queue({ name: 'orders-dlq' });
    const q = queue({ maxReceiveCount: 2, deadLetter: dlq });
    const [, idB] = await q.send(['a', 'b', 'c']);
    const { calls, consumer, bodies } = recorder((body) => body === 'b');
    q.start(consumer);
    await until(() => calls.length === 1);
    await flush();
    expect(q.messages().map((m) => m.body)).toEqual(['b']);

    timers.advance(VISIBILITY);
    await until(() => calls.length === 2);
    await flush();
    timers.advance(VISIBILITY);
    await q.idle();

    expect(bodies()).toEqual([['a', 'b', 'c'], ['b']]);
    expect(dlq.messages()).toEqual([{ messageId: idB, body: 'b', sentTimestamp: T0, receiveCount: 0 }]);
    expect(log).toHaveBeenCalledWith('warn', 'message moved to dead-letter queue orders-dlq', {
      queue: 'orders',
      messageId: idB,
      receiveCount: 2,
    });

    const dead = recorder();
    dlq.start(dead.consumer);
    await dlq.idle();
    expect(dead.calls[0]?.[0]?.attributes.DeadLetterQueueSourceArn).toBe(q.arn);
  });

  it('drops a message that keeps failing when there is no dead-letter queue, logging its id only', async () => {
    const q = queue({ maxReceiveCount: 1 });
    const [id] = await q.send(['secret text']);
    const { calls, consumer } = recorder(() => true);
    q.start(consumer);
    await until(() => calls.length === 1);
    await flush();

    timers.advance(VISIBILITY);
    await q.idle();
    expect(calls).toHaveLength(1);
    expect(log).toHaveBeenCalledWith('error', expect.stringContaining('dropped'), {
      queue: 'orders',
      messageId: id,
      receiveCount: 1,
    });
    expect(JSON.stringify(log.mock.calls)).not.toContain('secret text');
  });

  it('stops after the batch in flight and delivers nothing more', async () => {
    const q = queue();
    await q.send(['a']);
    const release = deferred<undefined>();
    const calls: SQSRecord[][] = [];
    q.start(async (event) => {
      calls.push(event.Records);
      return release.promise;
    });
    await until(() => calls.length === 1);
    let stopped = false;
    const stopping = q.stop().then(() => {
      stopped = true;
    });
    await flush();
    expect(stopped).toBe(false);

    release.resolve(undefined);
    await stopping;
    await q.send(['b']);
    await flush();
    expect(calls).toHaveLength(1);
    expect(q.depth()).toEqual({ visible: 1, inFlight: 0 });
  });

  it('holds a delayed message back for its DelaySeconds on its clock, then delivers it', async () => {
    const q = queue();
    const { bodies, consumer } = recorder();
    q.start(consumer);
    await q.send(['later'], { delaySeconds: 20 });
    await q.send(['now']);
    await until(() => bodies().length === 1);
    await flush();
    expect(bodies()).toEqual([['now']]);
    // Delayed, as SQS counts it: neither visible nor in flight, and the queue is not idle.
    expect(q.depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(q.messages().map((m) => [m.body, m.receiveCount])).toEqual([['later', 0]]);

    timers.advance(19_999);
    await flush();
    expect(bodies()).toEqual([['now']]);

    timers.advance(1);
    await q.idle();
    expect(bodies()).toEqual([['now'], ['later']]);
  });

  it('refuses a DelaySeconds SQS would refuse, and queues nothing of that send', async () => {
    const q = queue();
    for (const delaySeconds of [-1, 901, 1.5]) {
      await expect(q.send(['a'], { delaySeconds })).rejects.toThrow(ValidationError);
    }
    expect(q.messages()).toEqual([]);
    await expect(q.send(['a'], { delaySeconds: 900 })).resolves.toHaveLength(1);
  });

  it('rejects a body over 1 MiB, counting UTF-8 bytes, and queues nothing of that send', async () => {
    const q = queue();
    await expect(q.send(['x'.repeat(MiB + 1)])).rejects.toThrow(PayloadTooLargeError);
    await expect(q.send(['ok', 'é'.repeat(MiB / 2 + 1)])).rejects.toThrow(
      `message 1 is ${MiB + 2} bytes; SQS accepts at most ${MiB}`,
    );
    await expect(q.send([''])).rejects.toThrow(ValidationError);
    expect(q.depth()).toEqual({ visible: 0, inFlight: 0 });
    await expect(q.send(['x'.repeat(MiB)])).resolves.toHaveLength(1);
  });

  describe('with a folder', () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'threadline-queue-'));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('delivers after a restart what was sent before the crash, and forgets what was deleted', async () => {
      const ids = await queue({ dir }).send(['a', 'b']);
      expect(readdirSync(dir).sort()).toEqual(ids.map((id) => `${id}.json`).sort());
      // A send cut short by the crash was never acknowledged: its temporary file is discarded.
      writeFileSync(join(dir, 'half-written.json.tmp'), '{"messageId":');

      const restarted = queue({ dir });
      expect(restarted.depth()).toEqual({ visible: 2, inFlight: 0 });
      const { consumer, bodies } = recorder();
      restarted.start(consumer);
      await restarted.idle();
      expect(bodies().flat().sort()).toEqual(['a', 'b']);
      await until(() => readdirSync(dir).length === 0);
      expect(queue({ dir }).depth()).toEqual({ visible: 0, inFlight: 0 });
    });

    it('keeps a delayed message delayed across a restart, until its delay is over', async () => {
      await queue({ dir }).send(['later'], { delaySeconds: 60 });
      timers.advance(30_000);
      const restarted = queue({ dir });
      const { bodies, consumer } = recorder();
      restarted.start(consumer);
      await flush();
      expect(bodies()).toEqual([]);
      expect(restarted.depth()).toEqual({ visible: 0, inFlight: 0 });
      timers.advance(30_000);
      await restarted.idle();
      expect(bodies()).toEqual([['later']]);
    });

    it('redelivers after a restart a message that was in flight at the crash, as received once before', async () => {
      const crashed = queue({ dir });
      await crashed.send(['a']);
      await crashed.send(['later'], { delaySeconds: 60 });
      const never = deferred<undefined>();
      let received = 0;
      crashed.start(async () => {
        received++;
        return never.promise;
      });
      await until(() => received === 1);
      never.reject(new Error('process gone'));

      const restarted = queue({ dir });
      const { consumer, calls } = recorder();
      restarted.start(consumer);
      await until(() => calls.length === 1);
      // Not a first receipt (SQS's count): the process before may have done work for it (the resolver
      // takes a first receipt that finds its item written for a twin, and leaves it to the writer).
      const counts = (call: number) =>
        calls[call]?.map((r) => [r.body, r.attributes.ApproximateReceiveCount]);
      expect(counts(0)).toEqual([['a', '2']]);
      // A message still delayed at the restart cannot have been received: its first receive is one.
      timers.advance(60_000);
      await restarted.idle();
      expect(counts(1)).toEqual([['later', '1']]);
    });

    it('keeps a dead-lettered message on disk in the dead-letter queue folder', async () => {
      const dlqDir = join(dir, 'dlq');
      const q = queue({
        dir: join(dir, 'main'),
        maxReceiveCount: 1,
        deadLetter: queue({ name: 'dlq', dir: dlqDir }),
      });
      const [id] = await q.send(['a']);
      const { calls, consumer } = recorder(() => true);
      q.start(consumer);
      await until(() => calls.length === 1);
      await flush();

      timers.advance(VISIBILITY);
      await q.idle();
      expect(readdirSync(join(dir, 'main'))).toEqual([]);
      expect(queue({ name: 'dlq', dir: dlqDir }).messages()).toEqual([
        { messageId: id, body: 'a', sentTimestamp: T0, receiveCount: 0 },
      ]);
    });
  });
});
