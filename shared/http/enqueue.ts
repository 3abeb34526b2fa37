import type { Envelope } from '../domain/envelope.js';
import type { EnvelopeQueue } from '../domain/ports.js';
import { ThreadlineError, UnavailableError } from '../errors.js';

/**
 * Puts a webhook's envelopes on the queue. A failure that is not already one of ours (a disk or network
 * error) becomes UnavailableError, so the provider gets a 503 and retries rather than a 500.
 */
export async function enqueueEnvelopes(queue: EnvelopeQueue, envelopes: readonly Envelope[]): Promise<void> {
  if (envelopes.length === 0) return;
  try {
    await queue.enqueue(envelopes);
  } catch (error) {
    if (error instanceof ThreadlineError) throw error;
    throw new UnavailableError('the queue did not accept the envelopes', { cause: error });
  }
}
