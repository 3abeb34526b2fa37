import type { IntegrationEvent } from '#shared/domain/events/integration-events.js';
import type { DeliveryQueue, WebhookStore } from '#shared/domain/webhook-ports.js';
import { type Delivery, newDelivery, pendingAfresh, type Subscription } from '#shared/domain/webhooks.js';

/** What holding and resuming paused deliveries needs. */
export interface PausedDeps {
  store: Pick<
    WebhookStore,
    'createDelivery' | 'getDelivery' | 'getSubscription' | 'resumeDelivery' | 'forgetPaused'
  >;
  queue: DeliveryQueue;
}

/**
 * Resumes a paused delivery: pending again with a new 24-hour retry window (its attempts so far kept
 * in `priorAttempts`), written only if it is still paused, so of two resumers at once one queues it
 * (after `delaySeconds`); its note is let go either way. A delivery found pending and never tried
 * since its resume (a resumer that died before queueing it) is queued again: at worst a message
 * twice, whose delivery the endpoint may get twice with the same `webhook-id`. True when it queued it.
 */
export async function resumePaused(
  deps: Pick<PausedDeps, 'queue'> & { store: Pick<WebhookStore, 'resumeDelivery' | 'forgetPaused'> },
  delivery: Delivery,
  delaySeconds: number,
): Promise<boolean> {
  const message = { deliveryId: delivery.id, subscriptionId: delivery.subscriptionId };
  const stranded = delivery.status === 'pending' && delivery.attempts === 0 && !delivery.nextAttemptAt;
  const resumed =
    delivery.event !== undefined &&
    (stranded ||
      (delivery.status === 'paused' && (await deps.store.resumeDelivery(pendingAfresh(delivery)))));
  if (resumed) await deps.queue.send(message, delaySeconds);
  await deps.store.forgetPaused(delivery.subscriptionId, delivery.id);
  return resumed;
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
): Promise<void> {
  const delivery: Delivery = {
    ...newDelivery(subscription, event),
    status: 'paused',
    lastError: 'subscription disabled',
  };
  if (await deps.store.createDelivery(delivery)) return settlePaused(deps, delivery);
  const found = await deps.store.getDelivery(subscription.id, delivery.id);
  if (found?.status === 'paused') await settlePaused(deps, found);
}
