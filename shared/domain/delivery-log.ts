import { DELIVERY_LOG_DAYS, type Delivery } from './webhooks.js';

/**
 * When a delivery came into the log: when it was made (`madeAt`), or its event's time for one made in
 * time (and those written before `madeAt`). Its 30 days and a bulk replay's `since` count from it.
 */
export function loggedAt(delivery: Pick<Delivery, 'createdAt' | 'madeAt'>): string {
  return delivery.madeAt !== undefined && delivery.madeAt > delivery.createdAt
    ? delivery.madeAt
    : delivery.createdAt;
}

/** The log's `ttl` of a delivery (seconds): DELIVERY_LOG_DAYS after it came into the log. */
export function deliveryTtlOf(delivery: Pick<Delivery, 'createdAt' | 'madeAt'>): number {
  return Math.floor(Date.parse(loggedAt(delivery)) / 1000) + DELIVERY_LOG_DAYS * 86_400;
}

/**
 * How long before it was made an event may be timed and still be found by a bulk replay's `since`:
 * Meta sends a message again with its first time for up to 7 days. The log is in the events' order, so
 * a replay reads this much further back than `since` for deliveries made since (a bounded read).
 */
export const LATE_EVENT_MS = 7 * 86_400_000;

/** Whether a delivery is older than the log keeps one: the `ttl` is due (DynamoDB removes it lazily). */
export function pastRetention(delivery: Pick<Delivery, 'createdAt' | 'madeAt'>, now: Date): boolean {
  return deliveryTtlOf(delivery) * 1000 <= now.getTime();
}
