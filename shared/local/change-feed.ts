import { randomBytes } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { ChangeFeedConsumer, ChangeRecord } from '../domain/change-feed.js';
import { log } from '../log.js';
import { fromImage } from '../store/stream-records.js';
import { ChangeJournal, type Image, imageJson, type Key, type StoredChange } from './change-journal.js';

type FeedConsumer = {
  name: string;
  consume: ChangeFeedConsumer;
  pending: ChangeRecord[];
  /** Takes records once the journal is read: those it holds for this name come first. */
  registered: boolean;
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
  imageJson(a ?? null) === imageJson(b ?? null);
const sequenceOf = (pos: number) => String(pos).padStart(21, '0');

/** A kept change as the consumers read it: images as plain values, the position as its sequence. */
function recordOf(change: StoredChange): ChangeRecord {
  const { before, after } = change;
  return {
    id: change.id,
    kind: !before ? 'insert' : !after ? 'remove' : 'modify',
    keys: { pk: String(change.key.pk.S), sk: String(change.key.sk.S) },
    ...(after ? { newImage: fromImage(after) } : {}),
    ...(before ? { oldImage: fromImage(before) } : {}),
    sequence: sequenceOf(change.pos),
    at: change.at,
  };
}

/**
 * The local runtime's change feed, as DynamoDB Streams (NEW_AND_OLD_IMAGES) is on AWS: a middleware on
 * the local DynamoDB client reads each written item before and after every Put, Update, Delete,
 * BatchWrite and TransactWrite (whatever the answer, as a write can land and its answer be lost) and
 * appends a record when the item changed. Writes to one key are serialised, so its records are in
 * order. Every consumer gets every record in order, in batches of up to 100, and a batch's first
 * failure is delivered again (after 10 tries it is logged and skipped, as a stream's on-failure
 * destination would take it).
 *
 * With `dir`, the feed keeps a journal there (`ChangeJournal`): each write is announced durably before
 * it is sent, so no record of a write that landed is lost with the process, and a write that failed
 * makes none. At the next start the records a consumer had not taken are delivered to it again (at
 * least once, in order per item), by the name it subscribes with. Without `dir`, records not yet
 * consumed are lost with the process.
 */
export class LocalChangeFeed {
  readonly #reader: DynamoDBClient;
  readonly #table: string;
  readonly #run = randomBytes(4).toString('hex');
  #sequence = 0;
  readonly #locks = new Map<string, Promise<void>>();
  readonly #consumers: FeedConsumer[] = [];
  #idleWaiters: (() => void)[] = [];
  readonly #journal: ChangeJournal | undefined;
  /** Settles once the journal is read and the writes a killed process left are settled. */
  readonly opened: Promise<void>;
  #isOpen = false;

  readonly #skip: (pk: string) => boolean;

  /**
   * `skip` names partitions whose writes are no change anyone consumes (the live event log, which the
   * live stream function's event source filters out on AWS): they are written without the reads before
   * and after. `dir` keeps the feed's journal (see the class).
   */
  constructor(
    endpoint: string,
    table: string,
    options: { skip?: (pk: string) => boolean; dir?: string | undefined; now?: () => number } = {},
  ) {
    this.#table = table;
    this.#skip = options.skip ?? (() => false);
    this.#reader = new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    this.#journal = options.dir ? new ChangeJournal(options.dir, options.now) : undefined;
    this.opened = this.#open();
    // Whoever writes or subscribes waits for it; a failure reaches them, not an unhandled rejection.
    this.opened.catch(() => undefined);
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
        await this.opened;
        return this.#locked(keys, async () => {
          const before = await Promise.all(keys.map((key) => this.#image(key)));
          // On disk before the write is sent: a kill after it lands cannot lose its record.
          const intent = await this.#journal?.announce(keys, before);
          let after: (Image | undefined)[] | undefined;
          try {
            return await next(args);
          } finally {
            try {
              after = await Promise.all(keys.map((key) => this.#image(key)));
            } finally {
              this.#complete(intent, keys, before, after);
            }
          }
        });
      },
      { step: 'build', name: 'threadlineChangeFeed', override: true },
    );
    return client;
  }

  /**
   * Delivers every record from now on to `consume`, in order; with a journal, first those it holds that
   * the consumer of this `name` had not taken (a name is one consumer: given twice, it throws).
   */
  subscribe(consume: ChangeFeedConsumer, name = 'default'): void {
    if (this.#consumers.some((c) => c.name === name)) throw new Error(`change feed consumer ${name} twice`);
    const consumer: FeedConsumer = { name, consume, pending: [], registered: false };
    this.#consumers.push(consumer);
    if (this.#isOpen) this.#register(consumer);
    else
      void this.opened.then(
        () => this.#register(consumer),
        () => undefined,
      );
  }

  /** Resolves once every consumer has taken every record. */
  async idle(): Promise<void> {
    await this.opened;
    if (this.#isIdle()) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops reading the table and writes the journal's last lines (positions consumers reached). */
  async close(): Promise<void> {
    this.#reader.destroy();
    await this.opened.catch(() => undefined);
    await this.#journal?.close();
  }

  /**
   * Reads the journal and settles the writes a killed process announced and never completed: each
   * item as it is now against its image before the write (a write that failed left it unchanged, so
   * it makes no record); then the file is rewritten clean.
   */
  async #open(): Promise<void> {
    const journal = this.#journal;
    if (journal) {
      for (const intent of journal.dangling()) {
        const before = intent.before.map((image) => image ?? undefined);
        const now = await Promise.all(intent.keys.map((key) => this.#image(key)));
        this.#complete(intent.n, intent.keys, before, now, intent.at);
      }
      await journal.compactNow();
    }
    this.#isOpen = true;
  }

  #register(consumer: FeedConsumer): void {
    consumer.registered = true;
    const kept = this.#journal?.register(consumer.name) ?? [];
    if (kept.length === 0) return;
    consumer.pending.push(...kept.map(recordOf));
    consumer.running ??= this.#drain(consumer);
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

  /**
   * The write `intent` answered: a record for each key it changed, kept in the journal and handed to
   * every consumer. Without the images after it (the read failed), it makes none, as before the journal.
   */
  #complete(
    intent: number | undefined,
    keys: Key[],
    before: (Image | undefined)[],
    after: (Image | undefined)[] | undefined,
    at = new Date().toISOString(),
  ): void {
    const changes: StoredChange[] = [];
    keys.forEach((key, i) => {
      if (!after || sameImage(before[i], after[i])) return;
      const pos = this.#journal?.nextPosition() ?? ++this.#sequence;
      changes.push({
        pos,
        id: `${this.#run}-${sequenceOf(pos)}`,
        at,
        key,
        before: before[i],
        after: after[i],
      });
    });
    if (intent !== undefined) this.#journal?.complete(intent, changes);
    if (!after) log('error', 'change record lost: the item could not be read after its write', {});
    for (const change of changes) {
      const record = recordOf(change);
      for (const consumer of this.#consumers) {
        if (!consumer.registered) continue;
        consumer.pending.push(record);
        consumer.running ??= this.#drain(consumer);
      }
    }
  }

  /**
   * The journal's file keeps no image of the changes made so far once every consumer has taken them
   * (see ChangeJournal.compactOnceTaken); without a journal, nothing is kept to forget.
   */
  forgetTaken(): void {
    this.#journal?.compactOnceTaken();
  }

  /** The consumer took every record up to `record`: the journal lets go of what no one needs. */
  #taken(consumer: FeedConsumer, record: ChangeRecord | undefined): void {
    if (record) this.#journal?.ack(consumer.name, Number(record.sequence));
  }

  #isIdle(): boolean {
    return this.#consumers.every((c) => !c.running && c.pending.length === 0);
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
        this.#taken(consumer, batch.at(-1));
        tries = 0;
        continue;
      }
      consumer.pending.splice(0, failedAt);
      this.#taken(consumer, batch[failedAt - 1]);
      if (++tries >= 10) {
        log('error', 'change record skipped after 10 tries', { sequence: failedSequence });
        this.#taken(consumer, consumer.pending.shift());
        tries = 0;
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** tries, 5_000)));
    }
    consumer.running = undefined;
    if (this.#isIdle()) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }
}

/** What an erasure answers that the feed needs: whether the call finished it. */
type Eraser = { erase(customerId: string, agentId: string, now: string): Promise<{ complete: boolean }> };

/**
 * The admin ports with every erasure that completes followed by `forgetTaken`: the journal's file lets go
 * of the erased customer's images (their items as they were, and the deletes' images before) once the
 * live log and the webhooks have taken the deletes, rather than keeping them until its next rewrite.
 */
export function forgettingErased<A extends Eraser>(admin: A, feed: LocalChangeFeed | undefined): A {
  if (!feed) return admin;
  return {
    ...admin,
    erase: async (customerId: string, agentId: string, now: string) => {
      const report = await admin.erase(customerId, agentId, now);
      if (report.complete) feed.forgetTaken();
      return report;
    },
  };
}
