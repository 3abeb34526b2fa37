import { outlivesErasure } from '#shared/domain/events/integration-events.js';
import type { Clock } from '#shared/domain/ports.js';
import type {
  DeliveryQueue,
  ErasureCheck,
  PostOutcome,
  WebhookPoster,
  WebhookSigner,
  WebhookStore,
} from '#shared/domain/webhook-ports.js';
import {
  activeSecrets,
  breakerOpenUntil,
  breakerReleaseAt,
  type Delivery,
  type DeliveryMessage,
  nextAttemptAt,
  RETRY_WINDOW_MS,
  type Subscription,
  wants,
} from '#shared/domain/webhooks.js';

/** What one delivery attempt needs. */
export interface DeliverDeps {
  store: WebhookStore;
  queue: DeliveryQueue;
  post: WebhookPoster;
  sign: WebhookSigner;
  isErased: ErasureCheck;
  clock: Clock;
  /** In [0, 1): the retry jitter. */
  random(): number;
  log(level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void;
}

/** SQS delays a message by at most 15 minutes: a longer wait is a chain of such steps. */
const MAX_DELAY_SECONDS = 900;

async function later(deps: DeliverDeps, message: DeliveryMessage, dueAt: Date): Promise<void> {
  const seconds = Math.ceil((dueAt.getTime() - deps.clock.now().getTime()) / 1000);
  const delay = Math.max(0, Math.min(seconds, MAX_DELAY_SECONDS));
  await deps.queue.send({ ...message, dueAt: dueAt.toISOString() }, delay);
}

function describe(outcome: PostOutcome): { lastStatus?: number; lastError: string } {
  if (outcome.kind === 'answered') return { lastStatus: outcome.status, lastError: `HTTP ${outcome.status}` };
  return { lastError: outcome.reason };
}

/**
 * Until when the endpoint's deliveries wait after a failure: the breaker's window once it trips, and
 * an answer's `Retry-After` (a 429 or 503 asks it of the endpoint, not of one delivery), the later.
 */
function holdUntil(failures: number, now: Date, retryAfterMs: number | undefined): Date | undefined {
  const breaker = breakerOpenUntil(failures, now);
  const asked = retryAfterMs && retryAfterMs > 0 ? new Date(now.getTime() + retryAfterMs) : undefined;
  if (!breaker || !asked) return breaker ?? asked;
  return breaker > asked ? breaker : asked;
}

/**
 * A failed attempt: counted against the endpoint's breaker, then retried on the schedule or given up.
 * `now` is when the attempt failed (after a timeout, 10 s after it started): the schedule counts from it.
 */
async function failed(
  deps: DeliverDeps,
  message: DeliveryMessage,
  attempt: { delivery: Delivery; now: Date; outcome: PostOutcome },
): Promise<void> {
  const { delivery, now, outcome } = attempt;
  const retryAfterMs = outcome.kind === 'answered' ? outcome.retryAfterMs : undefined;
  const failures = await deps.store.countFailure(delivery.subscriptionId);
  const openUntil = holdUntil(failures, now, retryAfterMs);
  if (openUntil) await deps.store.openBreaker(delivery.subscriptionId, openUntil.toISOString());
  const next = nextAttemptAt({
    firstAttemptAt: new Date(delivery.firstAttemptAt ?? now.toISOString()),
    now,
    attempts: delivery.attempts,
    random: deps.random(),
    retryAfterMs,
  });
  const { nextAttemptAt: _gone, ...rest } = delivery;
  const fields = { ...describe(outcome) };
  if (!next) return giveUp(deps, { ...rest, ...fields });
  await deps.store.updateDelivery({ ...rest, ...fields, nextAttemptAt: next.toISOString() });
  await later(deps, message, next);
}

/** Gives a delivery up: `failed`, with the warning the stack alarms on. */
async function giveUp(deps: DeliverDeps, delivery: Delivery): Promise<void> {
  await deps.store.updateDelivery({ ...delivery, status: 'failed' });
  // Alarmed (stacks/alarms.ts): the integrator misses this event until an admin replays it.
  deps.log('warn', 'webhook delivery failed for good', {
    deliveryId: delivery.id,
    subscriptionId: delivery.subscriptionId,
    attempts: delivery.attempts,
  });
}

/**
 * A delivery the open breaker holds back waits until its release, but no later than the end of its
 * 24 hours of retries: once they are over with the breaker still open, it is given up.
 */
async function heldBack(
  deps: DeliverDeps,
  message: DeliveryMessage,
  hold: { delivery: Delivery; now: Date; release: Date },
): Promise<void> {
  const { delivery, now, release } = hold;
  const deadline = delivery.firstAttemptAt ? Date.parse(delivery.firstAttemptAt) + RETRY_WINDOW_MS : Infinity;
  if (now.getTime() >= deadline) {
    const { nextAttemptAt: _n, ...rest } = delivery;
    return giveUp(deps, { ...rest, lastError: 'the retry window ended while the breaker was open' });
  }
  return later(deps, message, new Date(Math.min(release.getTime(), deadline)));
}

/** Sends the delivery once, signed with every active secret, and records how it went. */
async function attempt(
  deps: DeliverDeps,
  message: DeliveryMessage,
  subscription: Subscription,
  delivery: Delivery & { event: NonNullable<Delivery['event']> },
): Promise<void> {
  const now = deps.clock.now();
  const body = JSON.stringify(delivery.event);
  const signature = deps.sign(activeSecrets(subscription, now), delivery.id, now, body);
  const outcome = await deps.post({
    url: subscription.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Threadline-Webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
  });
  const tried: Delivery = {
    ...delivery,
    attempts: delivery.attempts + 1,
    firstAttemptAt: delivery.firstAttemptAt ?? now.toISOString(),
    lastAttemptAt: now.toISOString(),
  };
  deps.log('info', 'webhook attempt', {
    deliveryId: delivery.id,
    subscriptionId: subscription.id,
    attempt: tried.attempts,
    outcome: outcome.kind,
    status: outcome.kind === 'answered' ? outcome.status : undefined,
  });
  if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) {
    const { nextAttemptAt: _done, lastError: _e, ...rest } = tried;
    await deps.store.updateDelivery({
      ...rest,
      lastStatus: outcome.status,
      status: 'delivered',
      deliveredAt: now.toISOString(),
    });
    if (subscription.consecutiveFailures > 0) await deps.store.resetBreaker(subscription.id);
    return;
  }
  if (outcome.kind === 'answered' && outcome.status === 410) {
    const reason = 'the endpoint answered 410 Gone';
    await deps.store.disableSubscription(subscription.id, now.toISOString(), reason);
    // Alarmed (stacks/alarms.ts): an endpoint gone is an integration that stopped.
    deps.log('warn', 'webhook subscription disabled', {
      subscriptionId: subscription.id,
      reason,
      deliveryId: delivery.id,
    });
    const { nextAttemptAt: _n, ...rest } = tried;
    await deps.store.pauseDelivery({ ...rest, ...describe(outcome), status: 'paused' });
    return;
  }
  await failed(deps, message, { delivery: tried, now: deps.clock.now(), outcome });
}

/**
 * One queue message: sends its delivery when it is due, unless it is done already (a message
 * delivered twice), its customer was erased (cancelled, the payload dropped from the log), its
 * subscription is disabled (paused, until an admin enables it), gone or no longer takes its event
 * (cancelled), or the endpoint's breaker is open (it waits, without counting an attempt, until a
 * random point of one more breaker window after the breaker closes).
 */
export async function deliverWebhook(deps: DeliverDeps, message: DeliveryMessage): Promise<void> {
  const now = deps.clock.now();
  if (message.dueAt && Date.parse(message.dueAt) > now.getTime()) {
    return later(deps, message, new Date(message.dueAt));
  }
  const delivery = await deps.store.getDelivery(message.subscriptionId, message.deliveryId);
  if (delivery?.status !== 'pending' || !delivery.event) return;
  if (delivery.nextAttemptAt && Date.parse(delivery.nextAttemptAt) > now.getTime()) {
    return later(deps, message, new Date(delivery.nextAttemptAt));
  }
  // A miss of the eventually consistent read (a subscription made a moment ago) is read again strongly.
  const subscription =
    (await deps.store.getSubscription(delivery.subscriptionId, 'eventual')) ??
    (await deps.store.getSubscription(delivery.subscriptionId));
  if (!outlivesErasure(delivery.event) && (await deps.isErased(delivery.customerId))) {
    const { event: _personal, ...rest } = delivery;
    await deps.store.updateDelivery({ ...rest, status: 'cancelled', lastError: 'customer erased' });
    return;
  }
  if (subscription?.disabledAt) {
    const { nextAttemptAt: _n, ...rest } = delivery;
    await deps.store.pauseDelivery({ ...rest, status: 'paused', lastError: 'subscription disabled' });
    return;
  }
  if (!subscription || !wants(subscription, delivery.event)) {
    const lastError = subscription ? 'event unsubscribed' : 'subscription deleted';
    await deps.store.updateDelivery({ ...delivery, status: 'cancelled', lastError });
    return;
  }
  const release = breakerReleaseAt(subscription, deps.random());
  if (release && Date.parse(subscription.circuitOpenUntil ?? '') > now.getTime()) {
    return heldBack(deps, message, { delivery, now, release });
  }
  await attempt(deps, message, subscription, { ...delivery, event: delivery.event });
}
