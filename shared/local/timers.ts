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
