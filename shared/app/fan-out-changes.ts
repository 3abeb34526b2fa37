import type { ChangeFeedConsumer } from '#shared/domain/change-feed.js';

/**
 * One stream reader for several fan-outs (agents' live updates, web-chat visitors...): a DynamoDB
 * stream shard takes two readers and the integrator events hold the other, so every further fan-out
 * joins this list. Each takes the whole batch, in parallel; the batch fails from the earliest record
 * any of them failed on, so every fan-out must be idempotent (they all see those records again).
 */
export function fanOutChanges(fanOuts: readonly ChangeFeedConsumer[]): ChangeFeedConsumer {
  return async (records) => {
    const results = await Promise.all(fanOuts.map((consume) => consume(records)));
    const failed = new Set(results.map((r) => r.failedSequence).filter((s) => s !== undefined));
    const first = records.find((r) => failed.has(r.sequence));
    return first ? { failedSequence: first.sequence } : {};
  };
}
