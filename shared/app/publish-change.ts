import { type ChangeFeedConsumer, inOrder } from '#shared/domain/change-feed.js';
import { eventsOfChange } from '#shared/domain/events/map-change.js';
import type { DeliveryQueue, WebhookStore } from '#shared/domain/webhook-ports.js';
import { newDelivery, type Subscription, wants } from '#shared/domain/webhooks.js';

/** What publishing needs: the subscriptions (a cached list), the delivery log, the queue, a log. */
export interface PublishDeps {
  subscriptions(): Promise<Subscription[]>;
  store: Pick<WebhookStore, 'createDelivery' | 'getDelivery'>;
  queue: DeliveryQueue;
  log(level: 'error', message: string, fields: Record<string, unknown>): void;
}

/**
 * The change-feed consumer that publishes integrator events: each change, in order, becomes events
 * and one queued delivery per subscription that takes each. Idempotent: a change delivered again finds
 * its deliveries in the log and queues again only those never tried (the consumer skips any done).
 */
export function publishChanges(deps: PublishDeps): ChangeFeedConsumer {
  return inOrder(
    async (record) => {
      const events = eventsOfChange(record);
      if (events.length === 0) return;
      const subscriptions = await deps.subscriptions();
      for (const event of events) {
        for (const subscription of subscriptions) {
          if (!wants(subscription, event)) continue;
          const delivery = newDelivery(subscription, event);
          if (!(await deps.store.createDelivery(delivery))) {
            const found = await deps.store.getDelivery(subscription.id, delivery.id);
            if (found?.status !== 'pending' || found.attempts > 0) continue;
          }
          await deps.queue.send({ deliveryId: delivery.id, subscriptionId: subscription.id }, 0);
        }
      }
    },
    (record, error) =>
      deps.log('error', 'change record not published', {
        sequence: record.sequence,
        error: error instanceof Error ? error.name : 'unknown',
      }),
  );
}
