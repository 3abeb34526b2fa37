/** How many `seq` values one millisecond holds: a writer makes at most this many events a millisecond. */
export const SEQ_PER_MS = 1000;

/** The lowest `seq` of a moment (ms since the epoch). */
export const seqAt = (ms: number): number => Math.floor(ms) * SEQ_PER_MS;

/** The moment (ms since the epoch) a `seq` was given. */
export const msOfSeq = (seq: number): number => Math.floor(seq / SEQ_PER_MS);

/**
 * A writer's `seq` source: `ms × 1000 + a counter`, strictly growing for this writer even if its clock
 * steps back or it makes more than 1000 events in a millisecond (it then runs a little ahead of the
 * clock). No shared counter item: every writer (stream shard, Lambda, the local runtime) has its own.
 */
export function seqClock(now: () => number): () => number {
  let last = 0;
  return () => {
    last = Math.max(last + 1, seqAt(now()));
    return last;
  };
}
