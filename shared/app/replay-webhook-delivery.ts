import { outlivesErasure } from '#shared/domain/events/integration-events.js';
import type { Clock } from '#shared/domain/ports.js';
import type { DeliveryQueue, ErasureCheck, WebhookStore } from '#shared/domain/webhook-ports.js';
import {
  type Delivery,
  type DeliveryMessage,
  pendingAfresh,
  type Subscription,
  stalled,
} from '#shared/domain/webhooks.js';
import { ConflictError, GoneError, NotFoundError } from '#shared/errors.js';
import { type AuditDeps, type AuditEntry, audited } from './audited.js';

/**
 * Sends a delivery again as an admin (audited), with the same `webhook-id`, so a receiver that has it
 * can dedupe; it gets a new 24-hour retry window and keeps its history (when it was delivered, the
 * attempts before, in `priorAttempts`). Refused while it is pending (409), unless its retry is overdue
 * by more than STALLED_AFTER_MS (its message lost): the replay's new claim makes the lost message, should
 * it come after all, send nothing (see claimStillHeld in deliver-webhook). 409 too while its subscription
 * is disabled (enable it: its paused deliveries resume), and (410, the delivery left as it was) once
 * its customer is erased or being erased, whether or not its payload is still in the log: nothing
 * about an erased customer goes out again.
 */
export async function replayWebhookDelivery(
  deps: AuditDeps & {
    webhooks: Pick<WebhookStore, 'getSubscription' | 'getDelivery' | 'updateDelivery'> & {
      isErased: ErasureCheck;
    };
    queue: DeliveryQueue;
    clock: Clock;
  },
  ids: { subscriptionId: string; deliveryId: string },
  agentId: string,
): Promise<Omit<Delivery, 'event'>> {
  const entry: AuditEntry = {
    agentId,
    action: 'webhook_replay',
    customerIds: [],
    webhookId: ids.subscriptionId,
    deliveryId: ids.deliveryId,
  };
  return audited(deps, entry, async () => {
    const delivery = await deps.webhooks.getDelivery(ids.subscriptionId, ids.deliveryId);
    const subscription = delivery && (await deps.webhooks.getSubscription(ids.subscriptionId));
    if (!delivery || !subscription) throw new NotFoundError(`no delivery ${ids.deliveryId}`);
    entry.customerIds = [delivery.customerId];
    const gone = await whyNotAgain(deps.webhooks.isErased, delivery);
    if (gone) throw new GoneError(gone);
    const now = deps.clock.now();
    if (delivery.status === 'pending' && !stalled(delivery, now)) {
      throw new ConflictError('the delivery is still being sent');
    }
    refuseWhileDisabled(subscription);
    const replayed = pendingAgain(delivery, now.toISOString());
    await deps.webhooks.updateDelivery(replayed);
    await deps.queue.send(replayMessage(replayed), 0);
    const { event: _payload, ...view } = replayed;
    return view;
  });
}

/**
 * A delivery replayed by an admin at `at`: pending, its attempts counted as before the replay, a new
 * retry window (no first or next attempt), its history (`deliveredAt`) kept, and claimed for the queue
 * then (`queuedAt`), as a resume claims it. One never tried (cancelled or paused before its first
 * attempt) kept its old claim before, long past its lease: its change delivered again had that claim
 * checked at once, taken over and sent beside the replay's own message, two chains posting it.
 */
export function pendingAgain(delivery: Delivery, at: string): Delivery {
  return { ...pendingAfresh(delivery), replayedAt: at, queuedAt: at };
}

/** The queue message of a replayed delivery: under its new claim, which a check of it may take over. */
export function replayMessage(
  delivery: Pick<Delivery, 'id' | 'subscriptionId' | 'queuedAt'>,
): DeliveryMessage {
  const message = { deliveryId: delivery.id, subscriptionId: delivery.subscriptionId };
  return delivery.queuedAt ? { ...message, queuedAt: delivery.queuedAt } : message;
}

/** 409 `webhook_disabled` for a subscription that is disabled: a replay waits for its enable. */
export function refuseWhileDisabled(subscription: Subscription): void {
  if (!subscription.disabledAt) return;
  throw new ConflictError(
    `webhook ${subscription.id} is disabled (${subscription.disabledReason ?? 'disabled'}): enable it first (POST /api/webhooks/${subscription.id}/enable)`,
    'webhook_disabled',
  );
}

/**
 * Why a delivery may not go out again (its payload dropped, or its customer erased or being erased,
 * unless the event outlives that), or undefined when it may: nothing about an erased customer is sent.
 */
export async function whyNotAgain(isErased: ErasureCheck, delivery: Delivery): Promise<string | undefined> {
  if (!delivery.event) return 'the payload is gone: its customer was erased';
  if (!outlivesErasure(delivery.event) && (await isErased(delivery.customerId))) {
    return `customer ${delivery.customerId} was erased`;
  }
  return undefined;
}
