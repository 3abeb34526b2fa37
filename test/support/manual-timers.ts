import type { QueueTimers } from '#shared/local/queue.js';

/**
 * QueueTimers whose time moves only when the test says so: a LocalQueue on them redelivers a failed
 * message exactly when the test advances past its visibility timeout, never on its own.
 */
export class ManualTimers implements QueueTimers {
  #now = Date.parse('2025-06-10T12:00:00.000Z');
  #next = 0;
  readonly #pending = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, ms: number): () => void {
    const id = this.#next++;
    this.#pending.set(id, { at: this.#now + ms, callback });
    return () => this.#pending.delete(id);
  }

  /** Moves time forward and runs every callback that fell due, in order. */
  advance(ms: number): void {
    this.#now += ms;
    const due = [...this.#pending.entries()]
      .filter(([, timer]) => timer.at <= this.#now)
      .sort(([a, x], [b, y]) => x.at - y.at || a - b);
    for (const [id, timer] of due) {
      if (!this.#pending.delete(id)) continue;
      timer.callback();
    }
  }
}
