import { type ChangeFeedConsumer, inOrder } from '#shared/domain/change-feed.js';
import type { IntegrationEvent } from '#shared/domain/events/integration-events.js';
import { eventsOfChange, wordsMovedBy, wordsWithdrawnBy } from '#shared/domain/events/map-change.js';
import type { Clock } from '#shared/domain/ports.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import {
  claimCheckOf,
  type DeliveryMessage,
  delaySecondsUntil,
  deliveryIdOf,
  neverTried,
  newDelivery,
  type Subscription,
  takes,
} from '#shared/domain/webhooks.js';
import { holdEvent, type PausedDeps } from './paused-deliveries.js';

/** What publishing needs: the subscriptions (a cached list), the delivery log, the queue, a log. */
export interface PublishDeps extends PausedDeps {
  subscriptions(): Promise<Subscription[]>;
  store: PausedDeps['store'] &
    Pick<WebhookStore, 'claimQueueing' | 'releaseQueueing' | 'forgetWords' | 'noteMovedDelivery'>;
  clock: Clock;
  /**
   * Whether the queue still holds a delivery's message (waiting or in flight). The local queue can
   * tell: there a delivery found claimed, never tried and not held is queued again (the runtime died
   * between the claim and the send). SQS cannot: without it, the claim alone decides.
   */
  holds?(message: DeliveryMessage): boolean;
  log(level: 'error', message: string, fields: Record<string, unknown>): void;
}

/**
 * The message of a delivery found claimed whose message is lost (only where the queue can say:
 * `holds`), carrying its claim; undefined when the queue holds it, or it is not pending and untried.
 */
async function orphanedClaim(
  deps: PublishDeps,
  message: DeliveryMessage,
): Promise<DeliveryMessage | undefined> {
  if (!deps.holds) return undefined;
  const found = await deps.store.getDelivery(message.subscriptionId, message.deliveryId);
  if (found?.status !== 'pending' || found.attempts !== 0) return undefined;
  // The message as it was sent: its claim is part of its body.
  const own = found.queuedAt ? { ...message, queuedAt: found.queuedAt } : message;
  return deps.holds(own) ? undefined : own;
}

/**
 * A delivery found claimed where the queue cannot say whether it holds its message (SQS): if it is
 * still never tried, its claim is checked when the claim's lease ends (a delayed message that sends it
 * only if it is still never tried then), so a process that died between the claim and the send makes
 * the delivery late, never lost. A change delivered again while all is well queues a check that finds
 * the delivery tried and does nothing (one strongly consistent read more, on that path only).
 */
async function checkClaim(deps: PublishDeps, message: DeliveryMessage): Promise<void> {
  const found = await deps.store.getDelivery(message.subscriptionId, message.deliveryId);
  if (!found?.queuedAt || !neverTried(found)) return;
  const check = claimCheckOf(found, found.queuedAt);
  await deps.queue.send(check, delaySecondsUntil(new Date(check.dueAt), deps.clock.now()));
}

/**
 * Queues one event's delivery to one subscription once: the delivery is made claimed (`queuedAt`),
 * or an unclaimed one found is claimed, before its message is sent; a send that fails lets the claim
 * go, so the change delivered again queues it.
 */
async function publishOne(
  deps: PublishDeps,
  subscription: Subscription,
  event: IntegrationEvent,
  madeAt: string,
) {
  const at = deps.clock.now().toISOString();
  const delivery = { ...newDelivery(subscription, event, madeAt), queuedAt: at };
  const message = { deliveryId: delivery.id, subscriptionId: subscription.id };
  const claimed =
    (await deps.store.createDelivery(delivery)) ||
    (await deps.store.claimQueueing(subscription.id, delivery.id, at))
      ? { ...message, queuedAt: at }
      : await orphanedClaim(deps, message);
  if (!claimed) {
    if (!deps.holds) await checkClaim(deps, message);
    return;
  }
  try {
    await deps.queue.send(claimed, 0);
  } catch (error) {
    await deps.store.releaseQueueing(subscription.id, delivery.id, at).catch((failure: unknown) =>
      // The delivery then stays pending, claimed and unsent: the change delivered again skips it.
      deps.log('error', 'webhook delivery claim not released', {
        deliveryId: delivery.id,
        error: failure instanceof Error ? failure.name : 'unknown',
      }),
    );
    throw error;
  }
}

/**
 * The change-feed consumer that publishes integrator events: each change, in order, becomes events
 * and one queued delivery per subscription that takes each (held, paused, for a disabled one, until it
 * is enabled). A customer's deletion takes the words it withdrew out of each subscription's deliveries
 * of the message (and of its edits), so no replay sends them again. Idempotent: a change delivered again finds its deliveries in the log, claimed for the
 * queue, and queues none of them again (a check of a claim still untried, at most).
 */
export function publishChanges(deps: PublishDeps): ChangeFeedConsumer {
  return inOrder(
    async (record) => {
      const events = eventsOfChange(record);
      const withdrawn = wordsWithdrawnBy(record);
      const moved = wordsMovedBy(record);
      if (events.length === 0 && withdrawn.length === 0 && !moved) return;
      const subscriptions = await deps.subscriptions();
      // An unmerge gave words back: every subscription's delivery of them is noted under their customer
      // (one read each, a write for one in the log), so their erasure strips it and no replay sends it.
      if (moved) {
        for (const words of moved.events) {
          for (const subscription of subscriptions) {
            const deliveryId = deliveryIdOf(subscription.id, words);
            await deps.store.noteMovedDelivery(subscription.id, deliveryId, moved.customerId);
          }
        }
      }
      // Every subscription's (whatever it takes now): one conditional write each, on a deletion only.
      for (const gone of withdrawn) {
        for (const subscription of subscriptions)
          await deps.store.forgetWords(subscription.id, deliveryIdOf(subscription.id, gone));
      }
      for (const event of events) {
        for (const subscription of subscriptions) {
          if (!takes(subscription, event)) continue;
          if (subscription.disabledAt) await holdEvent(deps, subscription, event, record.at);
          else await publishOne(deps, subscription, event, record.at);
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
