import type { IntegrationEvent } from '#shared/domain/events/integration-events.js';
import type { Clock } from '#shared/domain/ports.js';
import type { DeliveryQueue, WebhookStore } from '#shared/domain/webhook-ports.js';
import {
  type Delivery,
  newDelivery,
  pendingAfresh,
  QUEUE_CLAIM_LEASE_MS,
  type Subscription,
} from '#shared/domain/webhooks.js';

/** What holding and resuming paused deliveries needs. */
export interface PausedDeps {
  store: Pick<WebhookStore, 'createDelivery' | 'getDelivery' | 'getSubscription' | 'resumeDelivery'>;
  queue: DeliveryQueue;
  clock: Clock;
}

/**
 * Resumes a paused delivery: pending again with a new 24-hour retry window (its attempts so far kept
 * in `priorAttempts`) and claimed for the queue now (`queuedAt`), written only if it is still paused,
 * so of two resumers at once (an enable, the writer of a delivery paused as it was enabled) one queues
 * it (after `delaySeconds`). True when it did. Its note is left to the enable that reads it.
 */
export async function resumePaused(
  deps: Pick<PausedDeps, 'queue' | 'clock'> & { store: Pick<WebhookStore, 'resumeDelivery'> },
  delivery: Delivery,
  delaySeconds: number,
): Promise<boolean> {
  if (delivery.status !== 'paused' || !delivery.event) return false;
  const queuedAt = deps.clock.now().toISOString();
  if (!(await deps.store.resumeDelivery({ ...pendingAfresh(delivery), queuedAt }))) return false;
  const message = { deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, queuedAt };
  await deps.queue.send(message, delaySeconds);
  return true;
}

/**
 * Whether a delivery whose paused note is still there looks resumed and not tried since: pending,
 * with no attempt since its resume, its message (if its resumer lived to send it) not through yet.
 */
function resumedUntried(delivery: Delivery): boolean {
  return (
    delivery.status === 'pending' &&
    delivery.event !== undefined &&
    delivery.attempts === 0 &&
    !delivery.nextAttemptAt
  );
}

/** When a delivery's queueing claim (`queuedAt`) ends its lease; none claimed: long ago. */
const leaseEnd = (delivery: Delivery): number =>
  (delivery.queuedAt ? Date.parse(delivery.queuedAt) : 0) + QUEUE_CLAIM_LEASE_MS;

/**
 * Whether a delivery whose paused note is still there was left pending and unqueued by a resumer that
 * died between the two: never tried since, and claimed longer ago than the claim's lease (a message
 * sent by a resume that lived is tried by then). Queuing it again may, at worst, send it twice with
 * the same `webhook-id`.
 */
export function strandedResume(delivery: Delivery, now: Date): boolean {
  return resumedUntried(delivery) && leaseEnd(delivery) <= now.getTime();
}

/**
 * Whether a delivery whose paused note is still there was resumed within its claim's lease and not
 * tried since: its resumer's message may be on its way, or the resumer may have died before sending
 * it (an enable cut short). Neither sent nor let go: its note is kept for an enable after the lease.
 */
export function resumeUnconfirmed(delivery: Delivery, now: Date): boolean {
  return resumedUntried(delivery) && leaseEnd(delivery) > now.getTime();
}

/**
 * After a delivery was written paused: its subscription read again strongly and, enabled meanwhile
 * (the writer's copy was a moment old, or an enable ran in between and may have missed its note), the
 * delivery resumed at once. The note and the paused delivery are written before this read, and an
 * enable writes the subscription before it reads the notes strongly: one of the two resumes it.
 */
export async function settlePaused(deps: PausedDeps, delivery: Delivery): Promise<void> {
  const subscription = await deps.store.getSubscription(delivery.subscriptionId);
  if (subscription && !subscription.disabledAt) await resumePaused(deps, delivery, 0);
}

/**
 * Holds an event for a disabled subscription: its delivery is made once, `paused` and noted under the
 * subscription (as the backlog a disable pauses), so enabling sends it; nothing is sent meanwhile. A
 * change delivered again finds it and only settles it again (its writer may have died before).
 */
export async function holdEvent(
  deps: PausedDeps,
  subscription: Subscription,
  event: IntegrationEvent,
  madeAt?: string,
): Promise<void> {
  const delivery: Delivery = {
    ...newDelivery(subscription, event, madeAt),
    status: 'paused',
    lastError: 'subscription disabled',
  };
  if (await deps.store.createDelivery(delivery)) return settlePaused(deps, delivery);
  const found = await deps.store.getDelivery(subscription.id, delivery.id);
  if (found?.status === 'paused') await settlePaused(deps, found);
}
