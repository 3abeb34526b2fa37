import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ALL_EVENTS } from './events/event-types.js';
import {
  EventTypeSchema,
  type IntegrationEvent,
  IntegrationEventSchema,
  type SubscribedEvent,
  SubscribedEventSchema,
} from './events/integration-events.js';
import { normalisedUrl } from './webhook-guard-keys.js';

export {
  eventGuardsOf,
  guardedEvents,
  guardsAt,
  normalisedUrl,
  subscriptionKeyOf,
} from './webhook-guard-keys.js';

/** A signing secret in the Standard Webhooks form, `whsec_` then base64 of 24 to 64 random bytes. */
export const WebhookSecretSchema = z.string().regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/);

/** One valid signing secret; during a rotation the old one has `expiresAt`. */
export const SigningSecretSchema = z.object({
  secret: WebhookSecretSchema,
  expiresAt: z.iso.datetime().optional(),
  /** The rotation that made it, if keyed: a hash of the admin and their `Idempotency-Key` (never the key). */
  keyHash: z.string().optional(),
});
export type SigningSecret = z.infer<typeof SigningSecretSchema>;

/** An integrator's subscription, as stored: where to post which events, and how the endpoint is doing. */
export const SubscriptionSchema = z.object({
  id: z.string(),
  url: z.string(),
  /** The event types it takes, or `["*"]`: every one, those added later too. */
  events: z.array(SubscribedEventSchema).min(1),
  description: z.string().optional(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  /** Newest first; the others only while their rotation's grace period lasts (at most MAX_SIGNING_SECRETS). */
  secrets: z.array(SigningSecretSchema).min(1),
  /**
   * Set when the endpoint answered 410 Gone: nothing more is sent, its pending deliveries are paused
   * until an admin enables it again (`POST /api/webhooks/{id}/enable`).
   */
  disabledAt: z.iso.datetime().optional(),
  disabledReason: z.string().optional(),
  /** Failures in a row; reset by a success. */
  consecutiveFailures: z.number().int().nonnegative().default(0),
  /** While in the future, the breaker is open: deliveries wait instead of calling the endpoint. */
  circuitOpenUntil: z.iso.datetime().optional(),
  /** Grows with each edit (`PATCH`), absent before the first: each edit is conditional on the one it read. */
  revision: z.number().int().positive().optional().meta({
    description: 'grows with each edit (PATCH); absent before the first',
  }),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** What agents see of a subscription: never its secrets. */
export type SubscriptionView = Omit<Subscription, 'secrets'>;

/**
 * Where a delivery stands. `paused`: its subscription is disabled (the backlog then, and each event
 * made since, held), it waits (payload kept) until the subscription is enabled again. `cancelled`: its
 * subscription went, or its customer was erased.
 */
export const DeliveryStatusSchema = z.enum(['pending', 'delivered', 'failed', 'cancelled', 'paused']);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** One event for one subscription, and how sending it went: the delivery log. */
export const DeliverySchema = z.object({
  /** Also the `webhook-id` header: the same for the same event and subscription, so receivers dedupe. */
  id: z.string(),
  subscriptionId: z.string(),
  eventId: z.string(),
  eventType: EventTypeSchema,
  customerId: z.string(),
  createdAt: z.iso.datetime(),
  /**
   * When Threadline made the delivery (the change's own time in the feed), when later than `createdAt`
   * (the event's time, which the id and the log's order keep): a message the provider sent late.
   * A bulk replay's `since` and the log's 30 days count from the later of the two.
   */
  madeAt: z.iso.datetime().optional(),
  status: DeliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  /**
   * When it was last claimed for the queue (by the change feed's publisher, a resume or a replay): a
   * change delivered again finds the claim and queues it no second time.
   */
  queuedAt: z.iso.datetime().optional(),
  /** The next attempt is due then (while pending). */
  nextAttemptAt: z.iso.datetime().optional(),
  /** When the first attempt (since the last replay) was made: retries stop 24 h after it. */
  firstAttemptAt: z.iso.datetime().optional(),
  lastAttemptAt: z.iso.datetime().optional(),
  /** The endpoint's last HTTP status, when it answered. */
  lastStatus: z.number().int().optional(),
  lastError: z.string().optional(),
  /** When it was last delivered: kept by a replay until the replay is delivered in turn. */
  deliveredAt: z.iso.datetime().optional(),
  /** When an admin last replayed it. */
  replayedAt: z.iso.datetime().optional(),
  /** Attempts made before the last replay (`attempts` counts those since). */
  priorAttempts: z.number().int().nonnegative().optional(),
  /** The payload; dropped once the delivery is cancelled for an erased customer. */
  event: IntegrationEventSchema.optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

/** A queue message: deliver this delivery, not before `dueAt`. */
export const DeliveryMessageSchema = z.object({
  deliveryId: z.string(),
  subscriptionId: z.string(),
  dueAt: z.iso.datetime().optional(),
  /**
   * A check of the queueing claim made then (`queuedAt`): sent by a change delivered again while the
   * claim held, due when its lease ends; it sends the delivery only if it is still never tried then.
   */
  claim: z.iso.datetime().optional(),
  /**
   * The queueing claim (`queuedAt`) the delivery's own message was sent under: once a check took the
   * claim over (this message was slower than the lease), the delivery is the check's and this message
   * sends nothing. Messages queued before this field, and enables' stranded ones, carry none.
   */
  queuedAt: z.iso.datetime().optional(),
});
export type DeliveryMessage = z.infer<typeof DeliveryMessageSchema>;

/** Days a delivery stays in the log (the table's `ttl` removes it; its payload goes with it). */
export const DELIVERY_LOG_DAYS = 30;

/**
 * How long a queueing claim (`queuedAt`) is trusted to have its message on the queue: a process that
 * dies between the claim and the send leaves the claim, and a change delivered again after that long
 * sends the delivery all the same. SQS's longest delay, so the check is one delayed message.
 */
export const QUEUE_CLAIM_LEASE_MS = 15 * 60_000;

/**
 * How long before its claim's lease ends a delivery's own message, the delivery still never tried,
 * renews the claim (a conditional write a check's takeover races: one of the two sends) rather than
 * send on it. Longer than the webhooks function runs (30 s): a message that sends without renewing
 * has written its outcome, or died, before any check can take the claim over.
 */
export const CLAIM_RENEWAL_MS = 60_000;

/**
 * How long past its `nextAttemptAt` a pending delivery may still be on its way: longer than the webhooks
 * function runs (30 s), so an attempt made on time has written its outcome by then. Later than that its
 * message was lost (a local runtime killed while it waited, say), and an admin may replay it.
 */
export const STALLED_AFTER_MS = 60_000;

/** Whether a pending delivery's retry is overdue by more than STALLED_AFTER_MS at `now`: its message is lost. */
export function stalled(delivery: Pick<Delivery, 'status' | 'nextAttemptAt'>, now: Date): boolean {
  if (delivery.status !== 'pending' || delivery.nextAttemptAt === undefined) return false;
  return Date.parse(delivery.nextAttemptAt) + STALLED_AFTER_MS < now.getTime();
}

/**
 * Whether a delivery is pending, was never tried and never held back by the breaker (a hold notes its
 * `nextAttemptAt`): its first message may still be on its way. A held one's message came through.
 */
export function neverTried(
  delivery: Pick<Delivery, 'status' | 'attempts' | 'lastAttemptAt' | 'nextAttemptAt'>,
): boolean {
  return (
    delivery.status === 'pending' &&
    delivery.attempts === 0 &&
    delivery.lastAttemptAt === undefined &&
    delivery.nextAttemptAt === undefined
  );
}

/** The check of a delivery's queueing claim, due when the claim's lease ends. */
export function claimCheckOf(
  delivery: Pick<Delivery, 'id' | 'subscriptionId'>,
  queuedAt: string,
): DeliveryMessage & { dueAt: string } {
  return {
    deliveryId: delivery.id,
    subscriptionId: delivery.subscriptionId,
    claim: queuedAt,
    dueAt: new Date(Date.parse(queuedAt) + QUEUE_CLAIM_LEASE_MS).toISOString(),
  };
}

/** SQS delays a message by at most 15 minutes: a longer wait is a chain of such steps. */
const MAX_DELAY_SECONDS = 900;

/** The queue delay of a message due at `dueAt` (none once due; 15 minutes at most, SQS's longest). */
export function delaySecondsUntil(dueAt: Date, now: Date): number {
  const seconds = Math.ceil((dueAt.getTime() - now.getTime()) / 1000);
  return Math.max(0, Math.min(seconds, MAX_DELAY_SECONDS));
}

/**
 * Delays before each retry, after the first attempt (the Standard Webhooks schedule): 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, then 10 h more, within 24 h of the first attempt.
 */
export const RETRY_DELAYS_MS = [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6] as const;
/** How long a delivery is retried, from its first attempt. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;
/** Failures in a row that open a subscription's breaker. */
export const BREAKER_THRESHOLD = 5;
/** How long an open breaker holds deliveries back, doubled for each failure past the threshold, at most 1 h. */
export const BREAKER_BASE_MS = 60_000;
export const BREAKER_MAX_MS = 3_600_000;
/** How long the old secret keeps signing after a rotation. */
export const ROTATION_GRACE_MS = 24 * 3_600_000;
/**
 * The most secrets a delivery is signed with: the newest and the two latest still in their grace (a
 * rotation retried, then one more). Each adds a signature to `webhook-signature` and an HMAC per
 * attempt; a fourth rotation within 24 hours drops the oldest at once.
 */
export const MAX_SIGNING_SECRETS = 3;

/**
 * The secrets after a rotation to `fresh` at `now`: it first, then the one it replaces (signing for
 * ROTATION_GRACE_MS more), then the earlier ones whose own grace has not ended, newest first, at most
 * MAX_SIGNING_SECRETS in all. An earlier secret keeps its end: a rotation never lengthens a grace.
 */
export function rotatedSecrets(
  current: readonly SigningSecret[],
  fresh: string,
  now: Date,
  keyHash?: string,
): SigningSecret[] {
  const [newest, ...earlier] = current;
  const replaced = newest
    ? [{ ...newest, expiresAt: new Date(now.getTime() + ROTATION_GRACE_MS).toISOString() }]
    : [];
  const inGrace = earlier.filter((s) => s.expiresAt !== undefined && Date.parse(s.expiresAt) > now.getTime());
  const made = keyHash ? { secret: fresh, keyHash } : { secret: fresh };
  return [made, ...replaced, ...inGrace].slice(0, MAX_SIGNING_SECRETS);
}

/**
 * When to try again after the `attempts`-th failed attempt, or undefined when the delivery has used
 * its 24 hours. ±10% jitter (`random` in [0, 1)) spreads retries; a `Retry-After` later than the
 * schedule wins.
 */
export function nextAttemptAt(input: {
  firstAttemptAt: Date;
  now: Date;
  attempts: number;
  random: number;
  retryAfterMs?: number | undefined;
}): Date | undefined {
  const base = RETRY_DELAYS_MS[Math.min(input.attempts - 1, RETRY_DELAYS_MS.length - 1)] ?? 0;
  const jittered = base * (0.9 + 0.2 * input.random);
  const delay = Math.max(jittered, input.retryAfterMs ?? 0);
  const at = input.now.getTime() + delay;
  const deadline = input.firstAttemptAt.getTime() + RETRY_WINDOW_MS;
  if (input.now.getTime() >= deadline || input.attempts > RETRY_DELAYS_MS.length) return undefined;
  return new Date(Math.min(at, deadline));
}

/** How long a breaker opens for after `failures` failures in a row: 1 minute, doubling, at most 1 hour. */
export function breakerWindowMs(failures: number): number {
  return Math.min(BREAKER_BASE_MS * 2 ** Math.max(failures - BREAKER_THRESHOLD, 0), BREAKER_MAX_MS);
}

/** Until when a breaker stays open after `failures` failures in a row; undefined below the threshold. */
export function breakerOpenUntil(failures: number, now: Date): Date | undefined {
  if (failures < BREAKER_THRESHOLD) return undefined;
  return new Date(now.getTime() + breakerWindowMs(failures));
}

/**
 * When a delivery held back by an open breaker is let go (`random` in [0, 1)): at a random point of
 * one more breaker window after it closes, so a recovering endpoint gets its backlog spread out, not
 * all at once; the first one through probes it, and a failure reopens the breaker for the rest.
 */
export function breakerReleaseAt(
  subscription: Pick<Subscription, 'circuitOpenUntil' | 'consecutiveFailures'>,
  random: number,
): Date | undefined {
  if (!subscription.circuitOpenUntil) return undefined;
  const window = breakerWindowMs(subscription.consecutiveFailures);
  return new Date(Date.parse(subscription.circuitOpenUntil) + Math.floor(window * random));
}

/**
 * Whether an event's payload holds what the customer wrote (a message's text, a survey's comment, an
 * attachment's file name), their address, or a message's id, which may name them (a WhatsApp Cloud
 * API id is base64 of a record holding the customer's number): its delivery is noted under the customer, so an erasure
 * strips it from the log at once. Every `message.*` event has a message id; a consent event
 * (`contact.*`) has the address it is about.
 */
export function carriesWords(event: Pick<IntegrationEvent, 'data'>): boolean {
  const { text, comment, messageId, address } = event.data;
  return (
    typeof text === 'string' ||
    typeof comment === 'string' ||
    typeof messageId === 'string' ||
    typeof address === 'string'
  );
}

/** The secrets that sign now: the newest, and the older ones until their grace period ends. */
export function activeSecrets(subscription: Pick<Subscription, 'secrets'>, now: Date): string[] {
  return subscription.secrets
    .filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now.getTime())
    .map((s) => s.secret);
}

/** Whether a subscription takes events of this type, enabled or not: a disabled one holds them. */
export function takes(
  subscription: Pick<Subscription, 'events'>,
  event: Pick<IntegrationEvent, 'type'>,
): boolean {
  return covers(subscription.events, event.type);
}

/** Whether a list of events takes this one: it lists it, or lists `*` (which only `*` covers). */
export function covers(events: readonly SubscribedEvent[], event: SubscribedEvent): boolean {
  return events.includes(event) || (event !== ALL_EVENTS && events.includes(ALL_EVENTS));
}

/** Whether a subscription takes an event (of this type) and is enabled. */
export function wants(
  subscription: Pick<Subscription, 'disabledAt' | 'events'>,
  event: Pick<IntegrationEvent, 'type'>,
): boolean {
  return !subscription.disabledAt && takes(subscription, event);
}

/**
 * The delivery of an event to a subscription: its id is also the `webhook-id`, derived from both, so
 * a change delivered again makes the same id; it starts with the event's time (base 36 ms), so the
 * log's sort key can be rebuilt from the id alone.
 */
export function deliveryIdOf(
  subscriptionId: string,
  event: Pick<IntegrationEvent, 'id' | 'timestamp'>,
): string {
  const hash = createHash('sha256').update(`${subscriptionId}\u0000${event.id}`).digest('base64url');
  return `msg_${Date.parse(event.timestamp).toString(36).padStart(9, '0')}${hash.slice(0, 24).replace(/[-_]/g, 'x')}`;
}

/** The events both post to the same URL (compared normalised), none when the URLs differ. */
export function sharedEvents(
  a: Pick<Subscription, 'url' | 'events'>,
  b: Pick<Subscription, 'url' | 'events'>,
): SubscribedEvent[] {
  if (normalisedUrl(a.url) !== normalisedUrl(b.url)) return [];
  if (a.events.includes(ALL_EVENTS)) return [...new Set(b.events)];
  return [...new Set(a.events)].filter((event) => covers(b.events, event));
}

/** The time a delivery id starts with, or undefined for an id this code did not make. */
export function deliveryTimeOf(deliveryId: string): string | undefined {
  const match = /^msg_([0-9a-z]{9})[A-Za-z0-9]{24}$/.exec(deliveryId);
  if (!match?.[1]) return undefined;
  const ms = Number.parseInt(match[1], 36);
  return Number.isFinite(ms) && ms < 8.64e15 ? new Date(ms).toISOString() : undefined;
}

/**
 * A new delivery of an event to a subscription, pending its first attempt; `madeAt`: the change's time
 * in the feed (the same when the change is delivered again), noted when later than the event's.
 */
export function newDelivery(
  subscription: Pick<Subscription, 'id'>,
  event: IntegrationEvent,
  madeAt?: string,
): Delivery {
  return {
    id: deliveryIdOf(subscription.id, event),
    subscriptionId: subscription.id,
    eventId: event.id,
    eventType: event.type,
    customerId: event.data.customerId,
    createdAt: event.timestamp,
    ...(madeAt !== undefined && madeAt > event.timestamp ? { madeAt } : {}),
    status: 'pending',
    attempts: 0,
    event,
  };
}

/**
 * A delivery sent again (resumed, replayed): pending, with a new 24-hour retry window (no first or
 * next attempt), its attempts so far kept in `priorAttempts`, the rest of its history kept.
 */
export function pendingAfresh(delivery: Delivery): Delivery {
  const { firstAttemptAt: _f, nextAttemptAt: _n, ...rest } = delivery;
  return {
    ...rest,
    status: 'pending',
    attempts: 0,
    priorAttempts: (delivery.priorAttempts ?? 0) + delivery.attempts,
  };
}
