import { randomBytes } from 'node:crypto';
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { ChangeFeedConsumer, ChangeRecord } from '../domain/change-feed.js';
import { log } from '../log.js';
import { fromImage } from '../store/stream-records.js';

type Key = { pk: AttributeValue; sk: AttributeValue };
type Image = Record<string, AttributeValue>;
type FeedConsumer = {
  consume: ChangeFeedConsumer;
  pending: ChangeRecord[];
  running?: Promise<void> | undefined;
};
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** The keys a write request touches in `table`, from the JSON body the SDK is about to send. */
function keysOf(operation: string, body: Record<string, unknown>, table: string): Key[] {
  const pick = (image: unknown): Key[] => {
    const { pk, sk } = (image ?? {}) as Partial<Key>;
    return pk && sk ? [{ pk, sk }] : [];
  };
  if (operation === 'PutItem') return body.TableName === table ? pick(body.Item) : [];
  if (operation === 'UpdateItem' || operation === 'DeleteItem')
    return body.TableName === table ? pick(body.Key) : [];
  if (operation === 'BatchWriteItem') {
    const requests = ((body.RequestItems as Record<string, unknown[]> | undefined)?.[table] ?? []) as Array<
      Record<string, { Item?: unknown; Key?: unknown }>
    >;
    return requests.flatMap((r) => pick(r.PutRequest?.Item ?? r.DeleteRequest?.Key));
  }
  const items = (body.TransactItems ?? []) as Array<
    Record<string, { TableName?: string; Item?: unknown; Key?: unknown }>
  >;
  return items.flatMap((t) => {
    const write = t.Put ?? t.Update ?? t.Delete;
    return write?.TableName === table ? pick(write.Item ?? write.Key) : [];
  });
}

/** The JSON the SDK is about to send: a string, or its bytes. */
function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return undefined;
}

const keyText = (key: Key) => JSON.stringify([key.pk, key.sk]);
const sameImage = (a: Image | undefined, b: Image | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The local runtime's change feed, as DynamoDB Streams (NEW_AND_OLD_IMAGES) is on AWS: a middleware on
 * the local DynamoDB client reads each written item before and after every Put, Update, Delete,
 * BatchWrite and TransactWrite (whatever the answer, as a write can land and its answer be lost) and
 * appends a record when the item changed. Writes to one key are serialised, so its records are in
 * order. Every consumer gets every record in order, in batches of up to 100, and a batch's first
 * failure is delivered again (after 10 tries it is logged and skipped, as a stream's on-failure
 * destination would take it). Kept in memory: records not yet consumed are lost with the process.
 */
export class LocalChangeFeed {
  readonly #reader: DynamoDBClient;
  readonly #table: string;
  readonly #run = randomBytes(4).toString('hex');
  #sequence = 0;
  readonly #locks = new Map<string, Promise<void>>();
  readonly #consumers: FeedConsumer[] = [];
  #idleWaiters: (() => void)[] = [];

  readonly #skip: (pk: string) => boolean;

  /**
   * `skip` names partitions whose writes are no change anyone consumes (the live event log, which the
   * live stream function's event source filters out on AWS): they are written without the reads before
   * and after.
   */
  constructor(endpoint: string, table: string, options: { skip?: (pk: string) => boolean } = {}) {
    this.#table = table;
    this.#skip = options.skip ?? (() => false);
    this.#reader = new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** Feeds every write `client` makes to the table into the feed; answers the same client. */
  capture(client: DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown } | undefined;
        const target = request?.headers?.['x-amz-target'] ?? '';
        const operation = target.slice(target.indexOf('.') + 1);
        const body = bodyText(request?.body);
        if (!WRITES.has(operation) || body === undefined) return next(args);
        const keys = keysOf(operation, JSON.parse(body), this.#table).filter(
          (key) => key.pk.S === undefined || !this.#skip(key.pk.S),
        );
        if (keys.length === 0) return next(args);
        return this.#locked(keys, async () => {
          const before = await Promise.all(keys.map((key) => this.#image(key)));
          try {
            return await next(args);
          } finally {
            const after = await Promise.all(keys.map((key) => this.#image(key)));
            keys.forEach((key, i) => {
              this.#append(key, before[i], after[i]);
            });
          }
        });
      },
      { step: 'build', name: 'threadlineChangeFeed', override: true },
    );
    return client;
  }

  /** Delivers every record from now on to `consume`, in order. */
  subscribe(consume: ChangeFeedConsumer): void {
    this.#consumers.push({ consume, pending: [] });
  }

  /** Resolves once every consumer has taken every record. */
  idle(): Promise<void> {
    if (this.#consumers.every((c) => !c.running && c.pending.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    this.#reader.destroy();
  }

  async #locked<T>(keys: Key[], run: () => Promise<T>): Promise<T> {
    const names = [...new Set(keys.map(keyText))].sort();
    const previous = names.map((name) => this.#locks.get(name) ?? Promise.resolve());
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const name of names) this.#locks.set(name, mine);
    await Promise.all(previous);
    try {
      return await run();
    } finally {
      for (const name of names) if (this.#locks.get(name) === mine) this.#locks.delete(name);
      release();
    }
  }

  async #image(key: Key): Promise<Image | undefined> {
    const out = await this.#reader.send(
      new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  #append(key: Key, before: Image | undefined, after: Image | undefined): void {
    if (sameImage(before, after)) return;
    const sequence = String(++this.#sequence).padStart(21, '0');
    const record: ChangeRecord = {
      id: `${this.#run}-${sequence}`,
      kind: !before ? 'insert' : !after ? 'remove' : 'modify',
      keys: { pk: String(key.pk.S), sk: String(key.sk.S) },
      ...(after ? { newImage: fromImage(after) } : {}),
      ...(before ? { oldImage: fromImage(before) } : {}),
      sequence,
      at: new Date().toISOString(),
    };
    for (const consumer of this.#consumers) {
      consumer.pending.push(record);
      consumer.running ??= this.#drain(consumer);
    }
  }

  async #drain(consumer: FeedConsumer): Promise<void> {
    let tries = 0;
    while (consumer.pending.length > 0) {
      const batch = consumer.pending.slice(0, 100);
      const { failedSequence } = await consumer
        .consume(batch)
        .catch(() => ({ failedSequence: batch[0]?.sequence }));
      const failedAt = failedSequence ? batch.findIndex((r) => r.sequence === failedSequence) : -1;
      if (failedAt < 0) {
        consumer.pending.splice(0, batch.length);
        tries = 0;
        continue;
      }
      consumer.pending.splice(0, failedAt);
      if (++tries >= 10) {
        log('error', 'change record skipped after 10 tries', { sequence: failedSequence });
        consumer.pending.shift();
        tries = 0;
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** tries, 5_000)));
    }
    consumer.running = undefined;
    if (this.#consumers.every((c) => !c.running && c.pending.length === 0)) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }
}
