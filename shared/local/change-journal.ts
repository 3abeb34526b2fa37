import { existsSync, readFileSync, rmSync } from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { log } from '../log.js';
import { PRIVATE_FILE, privateFolder } from './private-files.js';

export type Key = { pk: AttributeValue; sk: AttributeValue };
export type Image = Record<string, AttributeValue>;

/** One change of one item, as the feed keeps it until every consumer has taken it. */
export interface StoredChange {
  /** The feed's position: grows with every change, across restarts; the record's sequence. */
  pos: number;
  id: string;
  at: string;
  key: Key;
  before?: Image | undefined;
  after?: Image | undefined;
}

/** A write announced before it is sent: the keys it touches and their images before it. */
export interface Intent {
  n: number;
  at: string;
  keys: Key[];
  before: (Image | null)[];
}

type Line =
  | ({ t: 'intent' } & Intent)
  | { t: 'done'; n: number; changes: StoredChange[] }
  | { t: 'change'; change: StoredChange }
  | { t: 'ack'; consumer: string; pos: number }
  | { t: 'next'; pos: number; intent: number };

/** Streams keeps a record 24 hours; so does the journal, whoever has not taken it. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
/** Lines appended before the file is rewritten with only what is still needed (or twice that, if more). */
const COMPACT_AFTER_LINES = 1_000;

/** JSON of an image with its binary values (Uint8Array) as `{ "$b64": ... }`, which JSON cannot hold. */
export function imageJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array ? { $b64: Buffer.from(v).toString('base64') } : v,
  );
}

/** Parses a journal line, binary values back to Uint8Array. */
function parseLine(text: string): Line {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const b64 = (v as { $b64?: unknown }).$b64;
      if (typeof b64 === 'string' && Object.keys(v).length === 1)
        return new Uint8Array(Buffer.from(b64, 'base64'));
    }
    return v;
  }) as Line;
}

/**
 * The local change feed's journal, one append-only file (`journal.jsonl`), so a change survives a kill
 * of the runtime as a stream record survives on AWS. A write is announced (its keys and images before
 * it) and fsync'd before it is sent; its changes follow once it answered, and each consumer's position
 * once it took them. Neither needs an fsync: a lost `done` is made again at the next start from the
 * announcement and the item as it is then (a write that failed changed nothing, so it makes no record),
 * and a lost position only delivers a record again. Concurrent announcements share one fsync. The file
 * is rewritten with only what is still needed (open announcements, changes some consumer has not taken,
 * the positions) every 1,000 lines or so, and at every start.
 */
export class ChangeJournal {
  readonly #file: string;
  #handle: FileHandle | undefined;
  #nextPos = 1;
  #nextIntent = 1;
  readonly #open = new Map<number, Intent>();
  /** Changes not yet taken by every consumer, in position order. */
  #kept: StoredChange[] = [];
  readonly #acks = new Map<string, number>();
  /** The consumers of this process: only they hold changes back. */
  readonly #consumers = new Set<string>();
  #queue: string[] = [];
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #durable = false;
  #compact = true;
  #linesSince = 0;
  /** A rewrite is due once every consumer has taken the changes up to here (0: none asked). */
  #compactWhenTaken = 0;
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #now: () => number;

  /** Reads what a previous process left in `dir` (announcements it never completed stay open). */
  constructor(dir: string, now: () => number = Date.now) {
    privateFolder(dir);
    this.#file = join(dir, 'journal.jsonl');
    this.#now = now;
    rmSync(`${this.#file}.tmp`, { force: true });
    if (existsSync(this.#file)) this.#load(readFileSync(this.#file, 'utf8'));
  }

  /** Writes announced by a previous process that never completed: the feed settles them first. */
  dangling(): Intent[] {
    return [...this.#open.values()];
  }

  /** Takes the next position (the record's sequence) for a change about to be completed. */
  nextPosition(): number {
    return this.#nextPos++;
  }

  /** Announces a write, durably: resolves once the announcement is fsync'd. */
  async announce(keys: Key[], before: (Image | undefined)[]): Promise<number> {
    const intent: Intent = {
      n: this.#nextIntent++,
      at: new Date(this.#now()).toISOString(),
      keys,
      before: before.map((image) => image ?? null),
    };
    this.#open.set(intent.n, intent);
    try {
      await this.#append({ t: 'intent', ...intent }, true);
    } catch (error) {
      // Not sent: the rewrite that follows a failed write leaves it out of the file.
      this.#open.delete(intent.n);
      throw error;
    }
    return intent.n;
  }

  /** The write `n` answered (or failed): its changes, none for a write that changed nothing. */
  complete(n: number, changes: StoredChange[]): void {
    this.#open.delete(n);
    this.#kept.push(...changes);
    void this.#append({ t: 'done', n, changes }, false);
  }

  /**
   * Registers consumer `name` and answers the changes it has not taken yet (all that are kept, for a
   * name the journal has not seen).
   */
  register(name: string): StoredChange[] {
    this.#consumers.add(name);
    const from = this.#acks.get(name) ?? 0;
    return this.#kept.filter((change) => change.pos > from);
  }

  /** Consumer `name` took every change up to `pos`; what no consumer still needs is let go. */
  ack(name: string, pos: number): void {
    if ((this.#acks.get(name) ?? 0) >= pos) return;
    this.#acks.set(name, pos);
    void this.#append({ t: 'ack', consumer: name, pos }, false);
    this.#letGo();
  }

  /**
   * Rewrites the file once every consumer has taken every change made so far, so it no longer holds
   * their images (an erasure asks: the images before its deletes are everything it deleted). Until
   * then the taken lines stay, as any stay until the next rewrite (every 1,000 lines or so). One rewrite
   * for any number of asks before it.
   */
  compactOnceTaken(): void {
    this.#compactWhenTaken = Math.max(this.#compactWhenTaken, this.#nextPos - 1, 1);
    this.#letGo();
  }

  /** Lets go of the changes every consumer took, and rewrites the file if a rewrite waits on them. */
  #letGo(): void {
    const taken = Math.min(...[...this.#consumers].map((c) => this.#acks.get(c) ?? 0));
    let drop = 0;
    while (drop < this.#kept.length && (this.#kept[drop]?.pos ?? 0) <= taken) drop++;
    if (drop > 0) this.#kept = this.#kept.slice(drop);
    if (this.#compactWhenTaken > 0 && taken >= this.#compactWhenTaken && !this.#closed) {
      this.#compactWhenTaken = 0;
      this.#compact = true;
      this.#flushing ??= this.#drain();
    }
  }

  /** How many lines the file holds beyond what is needed, and how many changes are kept (tests, bench). */
  size(): { kept: number; open: number; linesSinceCompaction: number } {
    return { kept: this.#kept.length, open: this.#open.size, linesSinceCompaction: this.#linesSince };
  }

  /** Resolves once every line so far is written (and the file rewritten, if that was due). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /** Writes what is queued and closes the file. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    await this.#handle?.close();
    this.#handle = undefined;
  }

  /** Rewrites the file now (the feed asks at start, once the dangling writes are settled). */
  compactNow(): Promise<void> {
    this.#compact = true;
    this.#flushing ??= this.#drain();
    return this.flush();
  }

  #append(line: Line, durable: boolean): Promise<void> {
    // After close, a write is refused; a late answer or position is made again at the next start.
    if (this.#closed)
      return durable ? Promise.reject(new Error('the change feed is closed')) : Promise.resolve();
    this.#queue.push(`${imageJson(line)}\n`);
    this.#durable ||= durable;
    const written = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (++this.#linesSince > Math.max(COMPACT_AFTER_LINES, 2 * (this.#kept.length + this.#open.size)))
      this.#compact = true;
    this.#flushing ??= this.#drain();
    // Only an announcement's caller waits; a failure of anything else is logged by the drain.
    if (!durable) written.catch(() => undefined);
    return written;
  }

  /** Writes the queued lines in order, one fsync for those that need it; or rewrites the whole file. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 || this.#compact) {
        const waiters = this.#waiters.splice(0);
        const lines = this.#queue.splice(0);
        const durable = this.#durable;
        this.#durable = false;
        try {
          // The rewrite holds every queued line's state: the lines are not appended again.
          if (this.#compact) await this.#rewrite();
          else {
            this.#handle ??= await open(this.#file, 'a', PRIVATE_FILE);
            await this.#handle.write(lines.join(''));
            if (durable) await this.#handle.datasync();
          }
          for (const waiter of waiters) waiter.resolve();
        } catch (error) {
          // A line may be half written: the next round rewrites the file from memory before appending.
          this.#compact = true;
          log('error', 'change feed journal not written', { error: (error as Error).name });
          for (const waiter of waiters) waiter.reject(error);
          break;
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  /** The file with only what is still needed, written aside, fsync'd and renamed over the old one. */
  async #rewrite(): Promise<void> {
    this.#compact = false;
    this.#linesSince = 0;
    this.#dropExpired();
    const lines: Line[] = [
      { t: 'next', pos: this.#nextPos, intent: this.#nextIntent },
      ...[...this.#acks].map(([consumer, pos]): Line => ({ t: 'ack', consumer, pos })),
      ...[...this.#open.values()].map((intent): Line => ({ t: 'intent', ...intent })),
      ...this.#kept.map((change): Line => ({ t: 'change', change })),
    ];
    const text = lines.map((line) => `${imageJson(line)}\n`).join('');
    await this.#handle?.close();
    this.#handle = undefined;
    const tmp = await open(`${this.#file}.tmp`, 'w', PRIVATE_FILE);
    try {
      await tmp.writeFile(text);
      await tmp.sync();
    } finally {
      await tmp.close();
    }
    await rename(`${this.#file}.tmp`, this.#file);
    this.#handle = await open(this.#file, 'a', PRIVATE_FILE);
  }

  /** Changes older than Streams' 24 hours are let go, taken or not, as the stream would trim them. */
  #dropExpired(): void {
    const horizon = this.#now() - RETENTION_MS;
    const kept = this.#kept.filter((change) => Date.parse(change.at) >= horizon);
    if (kept.length < this.#kept.length) {
      log('warn', 'change records older than 24 hours dropped untaken', {
        records: this.#kept.length - kept.length,
      });
      this.#kept = kept;
    }
  }

  /**
   * Replays the file into memory. A line that does not parse was being written when the process died (or
   * when the disk refused it): its write was never sent (an announcement is sent only once fsync'd), so it
   * is skipped; the rewrite at start then leaves a clean file.
   */
  #load(text: string): void {
    const changes = new Map<number, StoredChange>();
    let skipped = 0;
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      let line: Line;
      try {
        line = parseLine(raw);
      } catch {
        skipped++;
        continue;
      }
      if (line.t === 'intent') {
        this.#open.set(line.n, { n: line.n, at: line.at, keys: line.keys, before: line.before });
        this.#nextIntent = Math.max(this.#nextIntent, line.n + 1);
      } else if (line.t === 'done') {
        this.#open.delete(line.n);
        for (const change of line.changes) changes.set(change.pos, change);
      } else if (line.t === 'change') changes.set(line.change.pos, line.change);
      else if (line.t === 'ack')
        this.#acks.set(line.consumer, Math.max(this.#acks.get(line.consumer) ?? 0, line.pos));
      else {
        this.#nextPos = Math.max(this.#nextPos, line.pos);
        this.#nextIntent = Math.max(this.#nextIntent, line.intent);
      }
    }
    if (skipped > 0) log('warn', 'change feed journal lines unreadable, skipped', { lines: skipped });
    const sorted = [...changes.values()].sort((a, b) => a.pos - b.pos);
    for (const change of sorted) this.#nextPos = Math.max(this.#nextPos, change.pos + 1);
    for (const pos of this.#acks.values()) this.#nextPos = Math.max(this.#nextPos, pos + 1);
    // Kept until every consumer of the next process has taken them; those all named consumers took go.
    const taken = this.#acks.size > 0 ? Math.min(...this.#acks.values()) : 0;
    this.#kept = sorted.filter((change) => change.pos > taken);
  }
}
