import type { Envelope } from '../domain/envelope.js';
import type { EnvelopeQueue } from '../domain/ports.js';
import { ThreadlineError, UnavailableError } from '../errors.js';

/**
 * Puts a webhook's items on its queue. A failure that is not already one of ours (a disk or network
 * error) becomes UnavailableError, so the provider gets a 503 and retries rather than a 500.
 */
export async function enqueueOrUnavailable<T>(
  queue: { enqueue(items: readonly T[]): Promise<void> },
  items: readonly T[],
  what: string,
): Promise<void> {
  if (items.length === 0) return;
  try {
    await queue.enqueue(items);
  } catch (error) {
    if (error instanceof ThreadlineError) throw error;
    throw new UnavailableError(`the queue did not accept the ${what}`, { cause: error });
  }
}

/** Puts a webhook's envelopes on the inbound queue (see enqueueOrUnavailable). */
export function enqueueEnvelopes(queue: EnvelopeQueue, envelopes: readonly Envelope[]): Promise<void> {
  return enqueueOrUnavailable(queue, envelopes, 'envelopes');
}
