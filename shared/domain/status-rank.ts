import type { DeliveryStatus } from './envelope.js';

/**
 * The order in which a delivery status may move. `failed` ranks above `delivered`: a receiving mail
 * server can bounce an email after SES reported it delivered, and the agent must then see it failed,
 * in whichever order the two notifications arrive. `read` and `played` still win over `failed`: a
 * message the customer read was delivered. Kept free of zod so the console's bundle can use it.
 */
const STATUS_RANK: Record<DeliveryStatus, number> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  failed: 3,
  read: 4,
  played: 5,
};

/** The rank of a status; a status update applies only when its rank is higher than the current one. */
export function statusRank(status: DeliveryStatus): number {
  return STATUS_RANK[status];
}

/** A status's rank as shown on a screen: none (or one this version does not know) ranks lowest. */
function shownRank(status: string | undefined): number {
  return status !== undefined && Object.hasOwn(STATUS_RANK, status)
    ? STATUS_RANK[status as DeliveryStatus]
    : -1;
}

/**
 * Whether showing `next` in place of `seen` would take a delivery status back: a send's answer
 * (queued) that arrives after the live event saying it was sent, a page read older than a live event.
 */
export function movesBack(next: string | undefined, seen: string | undefined): boolean {
  return shownRank(next) < shownRank(seen);
}
