import type { StatusEnvelope } from '../domain/envelope.js';
import { followMerges, mergedGroup } from '../domain/merge-walks.js';
import type { ResolverStore } from '../domain/resolver-ports.js';
import { readsUpTo, WATERMARK_MAX_MERGE_HOPS, WATERMARK_MAX_PARTITIONS } from '../domain/watermark.js';
import { loggedId } from '../log.js';

/**
 * How far a watermark receipt looks in the merged group: WATERMARK_MAX_MERGE_HOPS merges deep (a
 * customer merged into one merged in is two) and WATERMARK_MAX_PARTITIONS partitions; further ones
 * are not looked in (logged).
 */
const WATERMARK_BOUNDS = { maxHops: WATERMARK_MAX_MERGE_HOPS, maxPartitions: WATERMARK_MAX_PARTITIONS };

/** What applying a watermark needs: the identity look-up and the timeline's bounded write. */
export interface WatermarkDeps {
  store: Pick<ResolverStore, 'findCustomerId' | 'getProfileState' | 'advanceWatermark' | 'sentAt'>;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/**
 * Applies a receipt that names no message, only a time (Messenger's `read`, a `delivery` without
 * `mids`): the customer's outbound messages on its channel at or before `at` move forward to its
 * status. The customer is found by the receipt's identity (one read), then their profile (one read,
 * more only when a merge moved them) for the partitions merged into them, and each of those customers'
 * profiles (one read each) for the partitions merged into them before; a receipt of nobody we know
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
  // The customer who stands for the identity now, and those merged into them: replies sent to a
  // merged customer before the merge stay in their partition.
  const { customerId: root, profile } = await followMerges(
    (id) => deps.store.getProfileState(id),
    customerId,
  );
  const { partitions, cut } = await mergedGroup(
    (id) => deps.store.getProfileState(id),
    { customerId: root, profile },
    WATERMARK_BOUNDS,
  );
  if (cut) {
    deps.log?.('warn', 'watermark receipt: merged partitions beyond the bound not looked in', {
      ...fields,
      customerId: root,
      partitions: partitions.length,
      maxHops: WATERMARK_MAX_MERGE_HOPS,
    });
  }
  const receipt = { channel: envelope.channel, at, status: envelope.status, statusAt: envelope.occurredAt };
  const moved = await deps.store.advanceWatermark(partitions, receipt);
  deps.log?.('info', 'watermark receipt applied', { ...fields, customerId, moved });
  return { written: moved > 0 };
}

/**
 * A read that names the last message seen (Instagram's, see `readsUpTo`) covers every reply sent
 * before it too: applied as a watermark at that message's time, as Messenger's read is (the message
 * itself among them), before the status of the message itself. One read of the message's reference
 * for its time; nothing more while no message is linked to it (its own status is parked as any).
 */
export async function applyReadUpTo(deps: WatermarkDeps, envelope: StatusEnvelope): Promise<void> {
  if (!readsUpTo(envelope) || !deps.store.sentAt) return;
  const at = await deps.store.sentAt(envelope.channel, envelope.providerMessageId);
  if (at) await applyWatermark(deps, envelope, at);
}
