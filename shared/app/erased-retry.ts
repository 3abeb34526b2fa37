import type { Envelope } from '../domain/envelope.js';
import { onceReference, toTimelineItem } from '../domain/resolution.js';
import type { OncePlacement, ProfileState, ResolverStore } from '../domain/resolver-ports.js';

/**
 * Whether an event is a provider's retry of one an erasure took: the erasure left a content-free
 * marker on its provider reference. One read, made only where the reference's own conditional write
 * comes too late: before a customer would be created for the event.
 */
export async function isErasedRetry(
  store: Pick<ResolverStore, 'erasedMessage'>,
  envelope: Envelope,
): Promise<boolean> {
  if (envelope.kind === 'status') return false;
  const reference = onceReference(toTimelineItem(envelope, '', ''));
  return reference ? store.erasedMessage(reference.channel, reference.id) : false;
}

/**
 * The same for an event of a known customer placed by its key alone (no reference write to refuse it),
 * read only when it happened before its customer was created: once a customer's first message is in
 * (checked before it created them), only a retry of an earlier customer's event does that.
 */
export async function keyedErasedRetry(
  store: Pick<ResolverStore, 'erasedMessage'>,
  envelope: Envelope,
  once: OncePlacement,
  profile: ProfileState | undefined,
): Promise<boolean> {
  const createdAt = profile?.customer?.createdAt;
  if (once !== 'key' || createdAt === undefined || envelope.occurredAt >= createdAt) return false;
  return isErasedRetry(store, envelope);
}
