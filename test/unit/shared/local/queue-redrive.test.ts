import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalQueue, type QueueLog } from '#shared/local/queue.js';
import { ManualTimers } from '../../../support/manual-timers.js';

const T0 = Date.parse('2025-06-08T21:00:00.000Z');

describe('LocalQueue.redrive', () => {
  let dir: string;
  let timers: ManualTimers;
  const log = vi.fn<QueueLog>();
  const queues: LocalQueue[] = [];

  /** The pair as the runtime makes it: a queue that dead-letters after one receive into `<name>-dlq`. */
  const pair = () => {
    const deadLetter = new LocalQueue({ name: 'orders-dlq', dir: join(dir, 'orders-dlq'), timers, log });
    const queue = new LocalQueue({
      name: 'orders',
      dir: join(dir, 'orders'),
      deadLetter,
      maxReceiveCount: 1,
      visibilityTimeoutMs: 1_000,
      timers,
      log,
    });
    queues.push(queue, deadLetter);
    return { queue, deadLetter };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'threadline-redrive-'));
    timers = new ManualTimers(T0);
  });

  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves every dead letter back to its queue, files included, as a fresh delivery with its id kept', async () => {
    const { queue, deadLetter } = pair();
    const ids = await queue.send(['a', 'b']);
    let failing = true;
    const received: SQSRecord[] = [];
    queue.start(async (event) => {
      received.push(...event.Records);
      return {
        batchItemFailures: failing ? event.Records.map((r) => ({ itemIdentifier: r.messageId })) : [],
      };
    });
    await vi.waitFor(() => expect(received).toHaveLength(2));
    timers.advance(1_000);
    await queue.idle();
    expect(
      deadLetter
        .messages()
        .map((m) => m.messageId)
        .sort(),
    ).toEqual([...ids].sort());

    failing = false;
    timers.advance(60_000);
    expect(await queue.redrive()).toBe(2);
    await queue.idle();

    expect(deadLetter.messages()).toEqual([]);
    expect(readdirSync(join(dir, 'orders-dlq'))).toEqual([]);
    const redelivered = received.slice(2);
    expect(redelivered.map((r) => r.messageId).sort()).toEqual([...ids].sort());
    for (const record of redelivered) {
      expect(record.attributes.ApproximateReceiveCount).toBe('1');
      expect(record.attributes.SentTimestamp).toBe(String(T0));
      expect(record.attributes.DeadLetterQueueSourceArn).toBeUndefined();
    }
  });

  it('moves the files of a stopped runtime, so the next start delivers them', async () => {
    const { deadLetter } = pair();
    // As a dead-letter queue receives them: written there by the queue's redrive policy.
    await deadLetter.send(['a']);
    const stopped = pair();
    expect(await stopped.queue.redrive()).toBe(1);
    expect(readdirSync(join(dir, 'orders-dlq'))).toEqual([]);
    expect(readdirSync(join(dir, 'orders'))).toHaveLength(1);
    expect(
      pair()
        .queue.messages()
        .map((m) => m.body),
    ).toEqual(['a']);
  });

  it('moves nothing and says so when the dead-letter queue is empty', async () => {
    expect(await pair().queue.redrive()).toBe(0);
  });

  it('refuses on a queue without a dead-letter queue', async () => {
    const queue = new LocalQueue({ name: 'plain', timers, log });
    await expect(queue.redrive()).rejects.toThrow(/plain has no dead-letter queue/);
  });
});
