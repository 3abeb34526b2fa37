import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Timer, TimerSchema, type Timers } from '#shared/domain/timer-ports.js';
import { log } from '#shared/log.js';
import { removeIfThere, writeDurably } from './durable-file.js';
import { privateFolder } from './private-files.js';
import type { LocalQueue } from './queue.js';
import type { LocalTimers } from './timers.js';

/** setTimeout's longest delay: a timer further away is re-armed when this much has passed. */
const MAX_ARM_MS = 2 ** 31 - 1;
/** How many rounds `settled` fires what is due in: each timer queued may lead to another due at once. */
const SETTLE_ROUNDS = 10;

/** A timer not yet fired: when it is tried next (its due time, or a failed send's retry), its timeout, whether a send runs. */
interface Pending {
  timer: Timer;
  at: number;
  disarm?: () => void;
  firing?: boolean;
}

/**
 * The local runtime's durable timers, as EventBridge Scheduler is on AWS: each timer a file under
 * `dir` (written to a temporary file, fsync'd, renamed) until it fires, reloaded on start. At its due
 * time (by `timers`, injectable so tests move time by hand) it goes on the timers queue, which the same
 * consumer as on Lambda drains, and its file is deleted. In memory when there is no `dir`.
 */
export class LocalTimerStore implements Timers {
  readonly #dir: string | undefined;
  readonly #timers: LocalTimers;
  readonly #queue: LocalQueue;
  readonly #pending = new Map<string, Pending>();
  readonly #firing = new Set<Promise<void>>();
  #running = false;

  constructor(options: { dir?: string | undefined; timers: LocalTimers; queue: LocalQueue }) {
    this.#dir = options.dir;
    this.#timers = options.timers;
    this.#queue = options.queue;
    if (this.#dir) this.#load(this.#dir);
  }

  /** Timers set and not yet fired. */
  get size(): number {
    return this.#pending.size;
  }

  /** The earliest due time (epoch ms) of the timers not yet fired, if any: what a clock moved by hand steps to. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const { timer } of this.#pending.values()) {
      const at = Date.parse(timer.dueAt);
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /**
   * Resolves once every timer due by the store's clock is on the queue: those firing, and those due
   * whose timeout has not run yet (on the process clock, a `setTimeout` of 0 waits for the event loop's
   * next turn), fired here. One not yet due stays armed. A timer queued can lead to another due at once,
   * so this fires in `SETTLE_ROUNDS` rounds at most; what falls due after them waits for its timeout.
   */
  async settled(): Promise<void> {
    for (let round = 0; round < SETTLE_ROUNDS && this.#running; round += 1) {
      const now = this.#timers.now();
      for (const [id, entry] of this.#pending) {
        if (entry.at > now || entry.firing) continue;
        entry.disarm?.();
        this.#track(this.#fire(id));
      }
      if (!this.#firing.size) return;
      await Promise.all([...this.#firing]);
    }
    while (this.#firing.size) await Promise.all([...this.#firing]);
  }

  /** Arms every timer (those reloaded too): a timer whose time passed while stopped fires at once. */
  start(): void {
    this.#running = true;
    for (const id of this.#pending.keys()) this.#arm(id);
  }

  /** Disarms every timer; their files stay for the next start. */
  stop(): void {
    this.#running = false;
    for (const entry of this.#pending.values()) entry.disarm?.();
  }

  async schedule(timer: Timer): Promise<void> {
    if (this.#pending.has(timer.id)) return;
    this.#pending.set(timer.id, { timer, at: Date.parse(timer.dueAt) });
    if (this.#dir) await this.#write(this.#dir, timer);
    if (this.#running) this.#arm(timer.id);
  }

  async cancel(timerId: string): Promise<void> {
    const entry = this.#pending.get(timerId);
    if (!entry) return;
    entry.disarm?.();
    this.#pending.delete(timerId);
    await this.#remove(timerId);
  }

  #arm(id: string): void {
    const entry = this.#pending.get(id);
    if (!entry) return;
    entry.disarm?.();
    const wait = entry.at - this.#timers.now();
    entry.disarm = this.#timers.schedule(
      () => {
        if (wait > MAX_ARM_MS) this.#arm(id);
        else this.#track(this.#fire(id));
      },
      Math.min(Math.max(0, wait), MAX_ARM_MS),
    );
  }

  async #fire(id: string): Promise<void> {
    const entry = this.#pending.get(id);
    if (!entry || entry.firing) return;
    entry.firing = true;
    try {
      // On the queue before the file goes: a crash in between fires it twice, which a timer survives.
      await this.#queue.send([JSON.stringify(entry.timer)]);
      this.#pending.delete(id);
      await this.#remove(id);
    } catch (error) {
      log('warn', 'timer could not be queued, retrying in a second', {
        timerKind: entry.timer.kind,
        error: error instanceof Error ? error.name : 'unknown',
      });
      entry.at = this.#timers.now() + 1_000;
      this.#arm(id);
    } finally {
      entry.firing = false;
    }
  }

  #track(firing: Promise<void>): void {
    this.#firing.add(firing);
    void firing.finally(() => this.#firing.delete(firing));
  }

  #file(dir: string, id: string): string {
    return join(dir, `${createHash('sha256').update(id).digest('hex').slice(0, 40)}.json`);
  }

  async #write(dir: string, timer: Timer): Promise<void> {
    await writeDurably(this.#file(dir, timer.id), JSON.stringify(timer));
  }

  async #remove(id: string): Promise<void> {
    if (this.#dir) await removeIfThere(this.#file(this.#dir, id));
  }

  #load(dir: string): void {
    privateFolder(dir);
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.json')) continue;
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      } catch {
        json = undefined;
      }
      const parsed = TimerSchema.safeParse(json);
      if (parsed.success)
        this.#pending.set(parsed.data.id, { timer: parsed.data, at: Date.parse(parsed.data.dueAt) });
      else log('warn', 'unreadable timer file skipped', { file: name });
    }
  }
}
