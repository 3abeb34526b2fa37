/** The keys of webhook subscriptions, their guards and delivery logs (listed in keys.ts's table). */

/** Partition of every webhook subscription in the list index (gsi1k; a business has a handful). */
export const WEBHOOKS_PARTITION = 'WEBHOOKS';
/**
 * How many partitions one subscription's delivery log is spread over: every message may make a
 * delivery, so one partition per subscription would be a key shared by all customers.
 */
export const DELIVERY_SHARDS = 8;

/** A webhook subscription; `GONE`: the mark its delete leaves, so an Idempotency-Key never remakes it. */
export const webhookKey = (id: string, sk: 'WEBHOOK' | 'GONE' = 'WEBHOOK') => ({ pk: `WEBHOOK#${id}`, sk });
/** The guard naming the one active subscription posting an event to a URL (see eventGuardsOf). */
export const webhookUrlKey = (hash: string) => ({ pk: `WEBHOOK_URL#${hash}`, sk: 'WEBHOOK_URL' });
/** Which subscription a secret rotation made with an `Idempotency-Key` was for (see rotationKeyOf). */
export const webhookRotationKey = (hash: string) => ({
  pk: `WEBHOOK_ROTATION#${hash}`,
  sk: 'WEBHOOK_ROTATION',
});

/** Partition of one shard of a subscription's delivery log. */
export const deliveryPartition = (subscriptionId: string, shard: number): string =>
  `WEBHOOK_DELIVERY#${subscriptionId}#${shard}`;

/** The shard of a subscription's log a delivery is in, from its id's last character. */
const deliveryShard = (deliveryId: string): number =>
  deliveryId.charCodeAt(deliveryId.length - 1) % DELIVERY_SHARDS;

/**
 * Partitions of the notes of a subscription's paused deliveries: every event made while it is disabled
 * is held paused, so they are spread as its log is (the delivery's shard), and the one partition that
 * held them all before is read too (`WEBHOOK_PAUSED#<sub>`, notes written before the shards).
 */
export const pausedPartitions = (subscriptionId: string): string[] => [
  `WEBHOOK_PAUSED#${subscriptionId}`,
  ...Array.from({ length: DELIVERY_SHARDS }, (_, shard) => `WEBHOOK_PAUSED#${subscriptionId}#${shard}`),
];

/** The note of a delivery paused while its subscription is disabled, read back when it is enabled. */
export const pausedDeliveryKey = (subscriptionId: string, deliveryId: string) => ({
  pk: `WEBHOOK_PAUSED#${subscriptionId}#${deliveryShard(deliveryId)}`,
  sk: deliveryId,
});

/** Where a paused delivery's note was written before the notes were sharded. */
export const unshardedPausedKey = (subscriptionId: string, deliveryId: string) => ({
  pk: `WEBHOOK_PAUSED#${subscriptionId}`,
  sk: deliveryId,
});

/**
 * The note, under the customer, of a delivery whose payload holds what they wrote (a message's text, a
 * survey's comment): an erasure reads these to strip the payloads at once, whatever the delivery's
 * status or subscription, instead of reading every subscription's log.
 */
export const customerDeliveryKey = (customerId: string, subscriptionId: string, deliveryId: string) => ({
  pk: `WEBHOOK_DELIVERY_OF#${customerId}`,
  sk: `${subscriptionId}#${deliveryId}`,
});

/** A delivery in its subscription's log: the shard from its id's last character, sorted by time. */
export function deliveryKey(
  subscriptionId: string,
  deliveryId: string,
  at: string,
): { pk: string; sk: string } {
  return { pk: deliveryPartition(subscriptionId, deliveryShard(deliveryId)), sk: `${at}#${deliveryId}` };
}
