import type { StatusEnvelope } from '../domain/envelope.js';
import type { ResolverStore } from '../domain/resolver-ports.js';
import { loggedId } from '../log.js';

/** What applying a watermark needs: the identity look-up and the timeline's bounded write. */
export interface WatermarkDeps {
  store: Pick<ResolverStore, 'findCustomerId' | 'advanceWatermark'>;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/**
 * Applies a receipt that names no message, only a time (Messenger's `read`, a `delivery` without
 * `mids`): the customer's outbound messages on its channel at or before `at` move forward to its
 * status. The customer is found by the receipt's identity (one read); a receipt of nobody we know
 * changes nothing. Repeated, it finds the messages there already and writes nothing. Answers whether
 * it moved any.
 */
export async function applyWatermark(
  deps: WatermarkDeps,
  envelope: StatusEnvelope,
  at: string,
): Promise<{ written: boolean }> {
  const fields = { channel: envelope.channel, providerMessageId: loggedId(envelope.providerMessageId) };
  const customerId = envelope.customer && (await deps.store.findCustomerId(envelope.customer));
  if (!customerId || !deps.store.advanceWatermark) {
    deps.log?.('warn', 'watermark receipt of no known customer', fields);
    return { written: false };
  }
  const receipt = { channel: envelope.channel, at, status: envelope.status, statusAt: envelope.occurredAt };
  const moved = await deps.store.advanceWatermark(customerId, receipt);
  deps.log?.('info', 'watermark receipt applied', { ...fields, customerId, moved });
  return { written: moved > 0 };
}
