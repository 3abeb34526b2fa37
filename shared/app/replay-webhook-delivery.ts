import { outlivesErasure } from '#shared/domain/events/integration-events.js';
import type { Clock } from '#shared/domain/ports.js';
import type { DeliveryQueue, ErasureCheck, WebhookStore } from '#shared/domain/webhook-ports.js';
import type { Delivery } from '#shared/domain/webhooks.js';
import { ConflictError, GoneError, NotFoundError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';

/**
 * Sends a delivery again as an admin (audited), with the same `webhook-id`, so a receiver that has it
 * can dedupe; it gets a new 24-hour retry window. Refused while it is pending, and (410, the delivery
 * left as it was) once its customer is erased or being erased, whether or not its payload is still
 * in the log: nothing about an erased customer goes out again.
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
  const delivery = await deps.webhooks.getDelivery(ids.subscriptionId, ids.deliveryId);
  if (!delivery || !(await deps.webhooks.getSubscription(ids.subscriptionId))) {
    throw new NotFoundError(`no delivery ${ids.deliveryId}`);
  }
  return audited(
    deps,
    { agentId, action: 'webhook_replay', customerIds: [delivery.customerId] },
    async () => {
      if (!delivery.event) throw new GoneError('the payload is gone: its customer was erased');
      if (!outlivesErasure(delivery.event) && (await deps.webhooks.isErased(delivery.customerId))) {
        throw new GoneError(`customer ${delivery.customerId} was erased`);
      }
      if (delivery.status === 'pending') throw new ConflictError('the delivery is still being sent');
      const { firstAttemptAt: _f, nextAttemptAt: _n, deliveredAt: _d, event, ...rest } = delivery;
      const replayed: Delivery = { ...rest, event, status: 'pending', attempts: 0 };
      await deps.webhooks.updateDelivery(replayed);
      await deps.queue.send({ deliveryId: delivery.id, subscriptionId: delivery.subscriptionId }, 0);
      const { event: _payload, ...view } = replayed;
      return view;
    },
  );
}
