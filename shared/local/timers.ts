/** Time and timers of the local runtime, injectable so tests step through timeouts without waiting. */
export interface LocalTimers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` after `ms`; returns a function that cancels it. */
  schedule(callback: () => void, ms: number): () => void;
}

/** The process clock and `setTimeout`. */
export const realTimers: LocalTimers = {
  now: () => Date.now(),
  schedule: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** setTimeout's longest delay: a callback further away is armed again when this much has passed. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Pending {
  at: number;
  callback: () => void;
  disarm?: () => void;
}

/**
 * LocalTimers whose time can be moved forward at once, never back. With `from`, time stands still
 * between moves (the tests' manual time); without it, time is the process clock plus every move so
 * far (`ahead`), and a callback also runs on its own when its time comes (`npm start`'s clock, which
 * `npm run clock` moves).
 */
export class SteppedTimers implements LocalTimers {
  readonly #from: number | undefined;
  #ahead: number;
  /** While a move runs a callback, the callback's own due time. */
  #at: number | undefined;
  #next = 0;
  readonly #pending = new Map<number, Pending>();

  constructor(options: { from?: number; ahead?: number } = {}) {
    this.#from = options.from;
    this.#ahead = Math.max(0, options.ahead ?? 0);
  }

  /** How far this time is ahead of where it started (of the process clock, without `from`). */
  get ahead(): number {
    return this.#ahead;
  }

  now(): number {
    return this.#at ?? (this.#from ?? Date.now()) + this.#ahead;
  }

  schedule(callback: () => void, ms: number): () => void {
    const id = this.#next++;
    const entry: Pending = { at: this.now() + Math.max(0, ms), callback };
    this.#pending.set(id, entry);
    this.#arm(id, entry);
    return () => {
      entry.disarm?.();
      this.#pending.delete(id);
    };
  }

  /**
   * Moves time forward by `ms`, running every callback that falls due on the way in order of its due
   * time, each once and each at its own time (it reads the clock at its due time; what it schedules
   * within the span runs too). A move of zero or less runs what is due now and moves nothing.
   */
  advance(ms: number): void {
    const step = Math.max(0, ms);
    let at = this.now();
    const target = at + step;
    try {
      for (;;) {
        let next: [number, Pending] | undefined;
        for (const entry of this.#pending) {
          if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
        }
        if (!next) break;
        const [id, entry] = next;
        entry.disarm?.();
        this.#pending.delete(id);
        // One overdue on the process clock runs at the time the move started from: time never goes back.
        at = Math.max(at, entry.at);
        this.#at = at;
        entry.callback();
      }
    } finally {
      this.#at = undefined;
      this.#ahead += step;
    }
    // A callback armed on the process clock for its old wait is due sooner now.
    for (const entry of this.#pending) this.#arm(...entry);
  }

  /** On the process clock only: a timeout for the callback (again, when the longest one is too short). */
  #arm(id: number, entry: Pending): void {
    if (this.#from !== undefined) return;
    entry.disarm?.();
    const wait = Math.min(Math.max(0, entry.at - this.now()), MAX_TIMEOUT_MS);
    const timeout = setTimeout(() => {
      if (this.#pending.get(id) !== entry) return;
      if (entry.at > this.now()) this.#arm(id, entry);
      else {
        this.#pending.delete(id);
        entry.callback();
      }
    }, wait);
    entry.disarm = () => clearTimeout(timeout);
  }
}
