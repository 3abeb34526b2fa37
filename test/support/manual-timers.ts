import type { LocalTimers } from '#shared/local/timers.js';

/**
 * LocalTimers whose time moves only when the test says so: a LocalQueue on them redelivers a failed
 * message exactly when the test advances past its visibility timeout, never on its own.
 */
export class ManualTimers implements LocalTimers {
  #now: number;
  #next = 0;
  readonly #pending = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.parse('2025-06-10T12:00:00.000Z')) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, ms: number): () => void {
    const id = this.#next++;
    this.#pending.set(id, { at: this.#now + ms, callback });
    return () => this.#pending.delete(id);
  }

  /**
   * Moves time forward, running every callback that falls due on the way in order, each at its own
   * time (a callback sees the clock at its due time, and what it schedules within the span runs too).
   */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#pending) {
        if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      this.#pending.delete(next[0]);
      this.#now = next[1].at;
      next[1].callback();
    }
    this.#now = target;
  }
}

/**
 * LocalTimers on the process clock that a test may also move forward at once: what falls due on the way
 * runs then (a queue's delayed message comes out without the test waiting out its delay); everything
 * else runs on its own, on time, as with the real timers.
 */
export class JumpingTimers implements LocalTimers {
  #skew = 0;
  #next = 0;
  readonly #pending = new Map<number, { at: number; run: () => void }>();

  now(): number {
    return Date.now() + this.#skew;
  }

  schedule(callback: () => void, ms: number): () => void {
    const id = this.#next++;
    const timer = setTimeout(() => {
      this.#pending.delete(id);
      callback();
    }, ms);
    const cancel = () => {
      clearTimeout(timer);
      this.#pending.delete(id);
    };
    const run = () => {
      cancel();
      callback();
    };
    this.#pending.set(id, { at: this.now() + ms, run });
    return cancel;
  }

  /** Moves time forward by `ms` at once, running what falls due on the way, soonest first. */
  jump(ms: number): void {
    this.#skew += ms;
    const due = [...this.#pending.values()].filter((entry) => entry.at <= this.now());
    for (const entry of due.sort((a, b) => a.at - b.at)) entry.run();
  }
}
