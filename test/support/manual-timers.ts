import { type LocalTimers, SteppedTimers } from '#shared/local/timers.js';

/**
 * LocalTimers whose time moves only when the test says so: a LocalQueue on them redelivers a failed
 * message exactly when the test advances past its visibility timeout, never on its own. The runtime's
 * stepped timers with a fixed start (`npm run clock` moves the same kind, on the process clock).
 */
export class ManualTimers extends SteppedTimers {
  constructor(start = Date.parse('2025-06-10T12:00:00.000Z')) {
    super({ from: start });
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
