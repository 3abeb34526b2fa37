import type { Envelope } from '#shared/domain/envelope.js';
import type { EnvelopeQueue } from '#shared/domain/ports.js';

/**
 * An EnvelopeQueue that holds every webhook's enqueue until `expected` requests have arrived, then
 * queues all their envelopes in one send, so the resolver receives them together: batches of 10
 * records applied in parallel, the sharpest race the local runtime can stage, whatever the timing of
 * the HTTP requests. Every held request then gets the outcome of that one send. Calls beyond
 * `expected` pass straight through. If fewer arrive, it releases what it holds after `maxWaitMs`.
 */
export class GatheringQueue implements EnvelopeQueue {
  /** Enqueue calls, and envelopes, seen. */
  calls = 0;
  envelopes = 0;
  readonly #inner: EnvelopeQueue;
  readonly #expected: number;
  readonly #maxWaitMs: number;
  #held: Array<{ envelopes: readonly Envelope[]; done: (error?: unknown) => void }> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(inner: EnvelopeQueue, expected: number, maxWaitMs = 10_000) {
    this.#inner = inner;
    this.#expected = expected;
    this.#maxWaitMs = maxWaitMs;
  }

  enqueue(envelopes: readonly Envelope[]): Promise<void> {
    this.calls += 1;
    this.envelopes += envelopes.length;
    if (this.calls > this.#expected) return this.#inner.enqueue(envelopes);
    return new Promise<void>((resolve, reject) => {
      this.#held.push({ envelopes, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.#timer ??= setTimeout(() => void this.#release(), this.#maxWaitMs);
      if (this.#held.length === this.#expected) void this.#release();
    });
  }

  async #release(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const held = this.#held;
    this.#held = [];
    if (held.length === 0) return;
    try {
      await this.#inner.enqueue(held.flatMap((h) => h.envelopes));
      for (const h of held) h.done();
    } catch (error) {
      for (const h of held) h.done(error ?? new Error('enqueue failed'));
    }
  }
}
