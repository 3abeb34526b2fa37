import type { Envelope } from '#shared/domain/envelope.js';
import type { EnvelopeQueue } from '#shared/domain/ports.js';
import { ThreadlineError, UnavailableError } from '#shared/errors.js';
import { envelopeEntries } from '#shared/queue/sqs-envelope-queue.js';
import type { LocalQueue } from './queue.js';

/**
 * The EnvelopeQueue of the local runtime: the same message bodies (and size limit) as SqsEnvelopeQueue,
 * written durably to a LocalQueue, so the local webhooks enqueue exactly what they would on AWS.
 */
export class LocalEnvelopeQueue implements EnvelopeQueue {
  readonly #queue: LocalQueue;

  constructor(queue: LocalQueue) {
    this.#queue = queue;
  }

  async enqueue(
    envelopes: readonly Envelope[],
    options: { delaySeconds?: number | undefined } = {},
  ): Promise<void> {
    if (envelopes.length === 0) return;
    await sendBodies(
      this.#queue,
      envelopeEntries(envelopes).map((entry) => entry.MessageBody),
      'envelopes',
      options,
    );
  }
}

/** Sends message bodies to a local queue; a failure that is not one of ours becomes UnavailableError (503). */
export async function sendBodies(
  queue: LocalQueue,
  bodies: string[],
  what: string,
  options: { delaySeconds?: number | undefined } = {},
): Promise<void> {
  try {
    await queue.send(bodies, options);
  } catch (error) {
    if (error instanceof ThreadlineError) throw error;
    throw new UnavailableError(`local queue ${queue.name} did not queue ${bodies.length} ${what}`, {
      cause: error,
    });
  }
}
