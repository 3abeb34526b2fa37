import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { DeliveryQueue } from '../domain/webhook-ports.js';
import type { DeliveryMessage } from '../domain/webhooks.js';
import { log } from '../log.js';
import { removeIfThere, writeDurably } from './durable-file.js';
import { privateFolder } from './private-files.js';
import type { LocalQueue } from './queue.js';
import type { LocalTimers } from './timers.js';

/** A delayed delivery message as its file holds it: the queue message and when it is due (epoch ms). */
const DelayedSchema = z.strictObject({ body: z.string(), dueAt: z.number() });
type Delayed = z.infer<typeof DelayedSchema>;

/**
 * The webhook delivery queue of the local runtime: a delayed message (a retry, a breaker's hold) waits
 * on the deliverer's timers, as SQS's DelaySeconds would, and with `dir` it is on disk (fsync'd) before
 * `send` resolves, with its due time: a restart, even a kill -9, queues it when it is due (at once if
 * overdue). Its file goes once the message is on the queue; a crash in between finds it there on the
 * next start and queues nothing twice.
 */
export class LocalDeliveryQueue implements DeliveryQueue {
  readonly #queue: LocalQueue;
  readonly #timers: LocalTimers;
  readonly #dir: string | undefined;
  readonly #cancels = new Map<string, () => void>();

  constructor(queue: LocalQueue, timers: LocalTimers, dir?: string) {
    this.#queue = queue;
    this.#timers = timers;
    this.#dir = dir;
    if (dir) this.#load(dir);
  }

  async send(message: DeliveryMessage, delaySeconds: number): Promise<void> {
    const body = JSON.stringify(message);
    if (delaySeconds <= 0) {
      await this.#queue.send([body]);
      return;
    }
    const id = randomUUID();
    const delayed = { body, dueAt: this.#timers.now() + delaySeconds * 1000 };
    await this.#write(id, delayed);
    this.#hold(id, delayed);
  }

  /** How many delayed messages wait (the start banner and tests). */
  get waiting(): number {
    return this.#cancels.size;
  }

  /** Stops the waits (the runtime closing): their files stay, for the next start. */
  stop(): void {
    for (const cancel of this.#cancels.values()) cancel();
    this.#cancels.clear();
  }

  #hold(id: string, delayed: Delayed): void {
    const due = () => {
      this.#cancels.delete(id);
      this.#queue
        .send([delayed.body])
        .then(() => this.#unlink(id))
        .catch((error: unknown) =>
          log('error', 'delayed webhook delivery not queued; it is queued again on the next start', {
            error: error instanceof Error ? error.name : 'unknown',
          }),
        );
    };
    this.#cancels.set(id, this.#timers.schedule(due, Math.max(0, delayed.dueAt - this.#timers.now())));
  }

  #file = (id: string): string => join(this.#dir ?? '', `${id}.json`);

  async #write(id: string, delayed: Delayed): Promise<void> {
    if (this.#dir) await writeDurably(this.#file(id), JSON.stringify(delayed));
  }

  async #unlink(id: string): Promise<void> {
    if (this.#dir) await removeIfThere(this.#file(id));
  }

  /** Waits again for what a previous process left delayed; one already on the queue is only forgotten. */
  #load(dir: string): void {
    privateFolder(dir);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      // A temporary file is a send that never completed, so never acknowledged: safe to drop.
      if (name.endsWith('.tmp')) unlinkSync(path);
      if (!name.endsWith('.json')) continue;
      let delayed: Delayed;
      try {
        delayed = DelayedSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
      } catch (error) {
        throw new Error(`${path} is not a delayed webhook delivery; move it away to start`, { cause: error });
      }
      const id = name.slice(0, -'.json'.length);
      if (this.#queue.holds(delayed.body)) unlinkSync(path);
      else this.#hold(id, delayed);
    }
  }
}
