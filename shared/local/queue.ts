import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PayloadTooLargeError, ValidationError } from '#shared/errors.js';
import { log } from '#shared/log.js';
import { SQS_MAX_MESSAGE_BYTES } from '#shared/queue/sqs-envelope-queue.js';
import { failedIds } from './batch-response.js';
import { removeIfThere, writeDurably } from './durable-file.js';
import { privateFolder } from './private-files.js';
import type { InFlightGroups } from './queue-groups.js';
import {
  type Message,
  Messages,
  type StoredMessage,
  StoredMessageSchema,
  sqsRecord,
} from './queue-message.js';
import { type LocalTimers, realTimers } from './timers.js';

/** An SQS-triggered Lambda handler, as the queue calls it (partial batch responses honoured). */
export type QueueConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined> | Promise<void>;

/** Where the queue reports what it does on its own: retries, dead-lettering, drops. Never bodies. */
export type QueueLog = (level: 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;

/** Options of LocalQueue; the defaults are SQS's and Lambda's. */
export interface LocalQueueOptions {
  name: string;
  /** Keep each message as a file here until it is deleted, and reload them on construction. */
  dir?: string;
  visibilityTimeoutMs?: number;
  /** Receives before a message moves to `deadLetter` (or is dropped with an error log if there is none). */
  maxReceiveCount?: number;
  deadLetter?: LocalQueue;
  /** Records per consumer call, 1 to 10 (default 10). */
  batchSize?: number;
  /** Batches in flight at once (default 1). */
  concurrency?: number;
  /** At most so many messages of one group in flight (by default no limit but `concurrency`). */
  groups?: InFlightGroups;
  /** Longest the consumer sleeps between looks while messages are invisible; sends wake it at once. */
  pollIntervalMs?: number;
  timers?: LocalTimers;
  log?: QueueLog;
}

/** A queued message, as `messages()` shows it. */
export interface QueuedMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  receiveCount: number;
  /** Its message attributes (a dead letter's reason), when it has any. */
  attributes?: Record<string, string>;
}

/**
 * An in-process queue with SQS standard-queue semantics, so the local runtime drives the same Lambda
 * SQS consumers: batches of up to 10, a visibility timeout that redelivers whatever is not deleted
 * (even if the consumer hangs), partial batch responses, per-message delays (DelaySeconds), and a
 * dead-letter queue after `maxReceiveCount` receives. As on SQS, delivery is at least once and ordering best effort.
 *
 * One batch is in flight at a time by default (`concurrency`); while it runs, messages whose visibility
 * timeout expires become visible but wait for a free slot. With `dir`, a message is on disk (fsync'd)
 * before `send` resolves and is removed only once deleted, so a crash loses nothing; receive counts are
 * not persisted: after a restart every message is visible (or still delayed) with a count of zero, and
 * the first receive of one that was due before (it may have been received) counts two, never a first.
 */
export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly #dir: string | undefined;
  readonly #visibilityTimeoutMs: number;
  readonly #maxReceiveCount: number;
  readonly #deadLetter: LocalQueue | undefined;
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #groups: InFlightGroups | undefined;
  readonly #pollIntervalMs: number;
  readonly #timers: LocalTimers;
  readonly #log: QueueLog;
  /** Every message not yet deleted, in send order. */
  readonly #messages = new Messages();
  readonly #batches = new Set<Promise<void>>();
  /** Dead-letter moves under way. */
  readonly #moves = new Set<Promise<void>>();
  #idleWaiters: (() => void)[] = [];
  #consumer: QueueConsumer | undefined;
  #cancelWake: (() => void) | undefined;

  constructor(options: LocalQueueOptions) {
    this.name = options.name;
    this.arn = `arn:aws:sqs:local:000000000000:${options.name}`;
    this.#dir = options.dir;
    this.#visibilityTimeoutMs = options.visibilityTimeoutMs ?? 30_000;
    this.#maxReceiveCount = options.maxReceiveCount ?? 5;
    this.#deadLetter = options.deadLetter;
    this.#batchSize = options.batchSize ?? 10;
    this.#concurrency = options.concurrency ?? 1;
    this.#groups = options.groups;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#timers = options.timers ?? realTimers;
    this.#log = options.log ?? log;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1 || this.#batchSize > 10) {
      throw new RangeError(`batchSize must be an integer from 1 to 10, not ${this.#batchSize}`);
    }
    for (const [option, value] of [
      ['maxReceiveCount', this.#maxReceiveCount],
      ['concurrency', this.#concurrency],
      ['pollIntervalMs', this.#pollIntervalMs],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${option} must be a positive integer`);
    }
    if (this.#deadLetter === this) throw new RangeError('a queue cannot be its own dead-letter queue');
    if (this.#dir) this.#load(this.#dir);
  }

  /**
   * Queues message bodies and returns their ids; with `dir`, resolves once they are on disk. With
   * `delaySeconds` (0 to 900, SQS's DelaySeconds), none is received before that much time has passed.
   */
  async send(
    bodies: readonly string[],
    options: { delaySeconds?: number | undefined } = {},
  ): Promise<string[]> {
    const delaySeconds = options.delaySeconds ?? 0;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900) {
      throw new ValidationError(`DelaySeconds must be an integer from 0 to 900, not ${delaySeconds}`);
    }
    bodies.forEach((body, index) => {
      const bytes = Buffer.byteLength(body, 'utf8');
      if (bytes > SQS_MAX_MESSAGE_BYTES) {
        throw new PayloadTooLargeError(
          `message ${index} is ${bytes} bytes; SQS accepts at most ${SQS_MAX_MESSAGE_BYTES}`,
        );
      }
      if (bytes === 0)
        throw new ValidationError(`message ${index} is empty; SQS needs at least one character`);
    });
    const now = this.#timers.now();
    const delayed = delaySeconds > 0 ? { delayedUntil: now + delaySeconds * 1000 } : {};
    const messages = bodies.map((body) => ({
      messageId: randomUUID(),
      body,
      sentTimestamp: now,
      ...delayed,
    }));
    const written = await Promise.allSettled(messages.map((message) => this.#write(message)));
    // Whatever reached the disk is queued, even if a sibling failed: memory and disk must agree.
    messages.forEach((message, index) => {
      if (written[index]?.status === 'fulfilled') this.#add(message);
    });
    this.#pump();
    const failure = written.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    return messages.map((message) => message.messageId);
  }

  /** Starts delivering batches to `consumer`, as the Lambda event source mapping would. */
  start(consumer: QueueConsumer): void {
    if (this.#consumer) throw new Error(`queue ${this.name} already has a consumer`);
    this.#consumer = consumer;
    this.#pump();
  }

  /** Stops delivering and waits for the batches in flight to finish. */
  async stop(): Promise<void> {
    this.#consumer = undefined;
    this.#cancelWake?.();
    this.#cancelWake = undefined;
    await Promise.all([...this.#batches, ...this.#moves]);
  }

  /** Resolves once the queue is empty: nothing visible, nothing in flight, no dead-letter move pending. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Approximate counts, as SQS's: in flight is received, not deleted; a delayed message is in neither. */
  depth(): { visible: number; inFlight: number } {
    const now = this.#timers.now();
    let visible = 0;
    let inFlight = 0;
    for (const message of this.#messages.values()) {
      if (message.visibleAt <= now) visible++;
      else if (message.receiveCount > 0) inFlight++;
    }
    return { visible, inFlight };
  }

  /** Whether a message with this body is queued and not deleted yet (waiting, delayed or in flight). */
  holds(body: string): boolean {
    return this.#messages.holds(body);
  }

  /** Every message not yet deleted, without receiving it (to inspect a dead-letter queue). */
  messages(): QueuedMessage[] {
    return [...this.#messages.values()].map(
      ({ messageId, body, sentTimestamp, receiveCount, attributes }) => ({
        messageId,
        body,
        sentTimestamp,
        receiveCount,
        ...(attributes ? { attributes } : {}),
      }),
    );
  }

  /**
   * SQS's dead-letter redrive: moves every message of the dead-letter queue back here, keeping its id and
   * sent time, with a fresh receive count. Each is written here before it leaves the dead-letter queue's
   * folder, so a crash in between duplicates a message and never loses one. Resolves with how many moved.
   */
  async redrive(): Promise<number> {
    const source = this.#deadLetter;
    if (!source) throw new Error(`queue ${this.name} has no dead-letter queue`);
    const moving = [...source.#messages.values()];
    for (const { messageId, body, sentTimestamp, attributes } of moving) {
      await this.#accept({ messageId, body, sentTimestamp, ...(attributes ? { attributes } : {}) });
      source.#messages.delete(messageId);
      await source.#unlink(messageId);
    }
    source.#settle();
    return moving.length;
  }

  /** Dispatches batches while a slot is free and messages are visible, then sleeps until the next one is. */
  #pump(): void {
    this.#cancelWake?.();
    this.#cancelWake = undefined;
    const consumer = this.#consumer;
    if (consumer) {
      while (this.#batches.size < this.#concurrency) {
        const records = this.#receive();
        if (records.length === 0) break;
        const batch: Promise<void> = this.#process(consumer, records).finally(() => {
          this.#groups?.release(records.map((record) => record.body));
          this.#batches.delete(batch);
          this.#pump();
        });
        this.#batches.add(batch);
      }
      const now = this.#timers.now();
      let next = Number.POSITIVE_INFINITY;
      for (const message of this.#messages.values())
        if (message.visibleAt > now) next = Math.min(next, message.visibleAt);
      if (next !== Number.POSITIVE_INFINITY) {
        this.#cancelWake = this.#timers.schedule(
          () => this.#pump(),
          Math.min(next - now, this.#pollIntervalMs),
        );
      }
    }
    this.#settle();
  }

  /** Receives up to a batch of visible messages, making them invisible for the visibility timeout. */
  #receive(): SQSRecord[] {
    const now = this.#timers.now();
    const records: SQSRecord[] = [];
    for (const message of this.#messages.values()) {
      if (records.length === this.#batchSize) break;
      if (message.visibleAt > now || this.#groups?.full(message.body)) continue;
      if (message.receiveCount >= this.#maxReceiveCount) {
        this.#moveToDeadLetter(message);
        continue;
      }
      message.receiveCount += message.reloaded && message.receiveCount === 0 ? 2 : 1;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + this.#visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      this.#groups?.take(message.body);
      records.push(sqsRecord(message, this.arn));
    }
    return records;
  }

  /** Calls the consumer and deletes what it handled; anything else waits out its visibility timeout. */
  async #process(consumer: QueueConsumer, records: SQSRecord[]): Promise<void> {
    let failed: Set<string>;
    try {
      failed = failedIds(records, await consumer({ Records: records }));
    } catch (error) {
      this.#log(
        'error',
        'consumer failed or answered an invalid batch response; the whole batch will be redelivered',
        {
          queue: this.name,
          messageIds: records.map((record) => record.messageId),
          error,
        },
      );
      return;
    }
    const handled = records.filter((record) => !failed.has(record.messageId));
    await Promise.all(handled.map((record) => this.#delete(record.messageId, record.receiptHandle)));
  }

  /** Deletes a message if the receipt is its latest (a message redelivered since keeps its new lease). */
  async #delete(messageId: string, receiptHandle: string): Promise<void> {
    if (this.#messages.get(messageId)?.receiptHandle !== receiptHandle) return;
    this.#messages.delete(messageId);
    await this.#unlink(messageId).catch((error: unknown) =>
      this.#log('error', 'deleted message file could not be removed', { queue: this.name, messageId, error }),
    );
  }

  /** SQS's redrive: a message received maxReceiveCount times goes to the dead-letter queue when next due. */
  #moveToDeadLetter(message: Message): void {
    this.#messages.delete(message.messageId);
    const fields = { queue: this.name, messageId: message.messageId, receiveCount: message.receiveCount };
    const target = this.#deadLetter;
    if (target) this.#log('warn', `message moved to dead-letter queue ${target.name}`, fields);
    else
      this.#log(
        'error',
        'message dropped: failed maxReceiveCount times and there is no dead-letter queue',
        fields,
      );
    // Written to the dead-letter queue before it leaves this queue's disk: a crash in between duplicates it.
    const move: Promise<void> = (async () => {
      const { messageId, body, sentTimestamp } = message;
      if (target) await target.#accept({ messageId, body, sentTimestamp, deadLetterSourceArn: this.arn });
      await this.#unlink(messageId);
    })()
      .catch((error: unknown) => this.#log('error', 'dead-letter move failed', { ...fields, error }))
      .finally(() => {
        this.#moves.delete(move);
        this.#settle();
      });
    this.#moves.add(move);
  }

  /** A message a consumer dead-letters itself (a permanent failure, its reason in attributes), id and time kept. */
  async deadLetter(message: StoredMessage): Promise<void> {
    await this.#accept(message);
  }

  /** Takes in a message from another queue (dead-lettering), keeping its id and sent time. */
  async #accept(message: StoredMessage): Promise<void> {
    await this.#write(message);
    this.#add(message);
    this.#pump();
  }

  #add(message: StoredMessage & { reloaded?: boolean }): void {
    this.#messages.set(message.messageId, {
      ...message,
      receiveCount: 0,
      visibleAt: message.delayedUntil ?? 0,
    });
  }

  #isIdle(): boolean {
    return this.#messages.size === 0 && this.#batches.size === 0 && this.#moves.size === 0;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #file = (messageId: string): string => join(this.#dir ?? '', `${messageId}.json`);

  /** Writes the message file durably: a temporary file, fsync'd, then renamed into place. */
  async #write(message: StoredMessage): Promise<void> {
    if (this.#dir) await writeDurably(this.#file(message.messageId), JSON.stringify(message));
  }

  async #unlink(messageId: string): Promise<void> {
    if (this.#dir) await removeIfThere(this.#file(messageId));
  }

  /** Reloads the messages a previous process left, oldest first, visible unless still delayed. */
  #load(dir: string): void {
    privateFolder(dir);
    const stored: StoredMessage[] = [];
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      // A temporary file is a send that never completed, so never acknowledged: safe to drop.
      if (name.endsWith('.tmp')) unlinkSync(path);
      if (!name.endsWith('.json')) continue;
      try {
        stored.push(StoredMessageSchema.parse(JSON.parse(readFileSync(path, 'utf8'))));
      } catch (error) {
        throw new Error(`queue ${this.name}: ${path} is not a queued message; move it away to start`, {
          cause: error,
        });
      }
    }
    stored.sort((a, b) => a.sentTimestamp - b.sentTimestamp);
    const now = this.#timers.now();
    for (const m of stored) this.#add((m.delayedUntil ?? 0) > now ? m : { ...m, reloaded: true });
  }
}
