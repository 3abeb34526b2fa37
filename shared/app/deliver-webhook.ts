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
  CLAIM_RENEWAL_MS,
  claimCheckOf,
  type Delivery,
  type DeliveryMessage,
  delaySecondsUntil,
  neverTried,
  nextAttemptAt,
  QUEUE_CLAIM_LEASE_MS,
  RETRY_WINDOW_MS,
  type Subscription,
  wants,
} from '#shared/domain/webhooks.js';
import { settlePaused } from './paused-deliveries.js';

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

/** Sends the message again, due then: SQS delays it by 15 minutes at most, so a longer wait is a chain. */
async function later(deps: DeliverDeps, message: DeliveryMessage, dueAt: Date): Promise<void> {
  const delay = delaySecondsUntil(dueAt, deps.clock.now());
  await deps.queue.send({ ...message, dueAt: dueAt.toISOString() }, delay);
}

/**
 * Whether a check of a queueing claim (see publishChanges) goes on to send its delivery: only one still
 * never tried whose claim is the one checked, taken over now (of several checks of a claim, one wins):
 * answers the message it goes on as, the delivery's own under the new claim. A claim taken since (a
 * check that died after taking it over) is checked again when its lease ends.
 */
async function claimTakenOver(
  deps: DeliverDeps,
  message: DeliveryMessage,
  delivery: Delivery,
): Promise<DeliveryMessage | undefined> {
  if (!delivery.queuedAt || !neverTried(delivery)) return undefined;
  if (delivery.queuedAt !== message.claim) {
    const check = claimCheckOf(delivery, delivery.queuedAt);
    await later(deps, check, new Date(check.dueAt));
    return undefined;
  }
  const at = deps.clock.now().toISOString();
  if (!(await deps.store.takeOverQueueing(delivery.subscriptionId, delivery.id, message.claim, at))) {
    return undefined;
  }
  const { claim: _checked, ...own } = message;
  return { ...own, queuedAt: at };
}

/**
 * The message a delivery's own message goes on as, or undefined when it must send nothing: a check
 * took its claim over (it was slower than the lease; the delivery is the check's now). Near the
 * lease's end, the delivery still never tried, it renews the claim first (a conditional write, as a
 * check's takeover is: of the two, one sends); earlier, no check can take over before its outcome is
 * written, so it writes nothing more. A message that carries no claim goes on as before.
 */
async function claimStillHeld(
  deps: DeliverDeps,
  message: DeliveryMessage,
  delivery: Delivery,
): Promise<DeliveryMessage | undefined> {
  const claim = message.queuedAt;
  if (claim === undefined) return message;
  if (delivery.queuedAt !== claim) return undefined;
  const now = deps.clock.now();
  if (!neverTried(delivery) || Date.parse(claim) + QUEUE_CLAIM_LEASE_MS - CLAIM_RENEWAL_MS > now.getTime()) {
    return message;
  }
  const at = now.toISOString();
  const renewed = await deps.store.takeOverQueueing(delivery.subscriptionId, delivery.id, claim, at);
  return renewed ? { ...message, queuedAt: at } : undefined;
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
 * 24 hours of retries: once they are over with the breaker still open, it is given up. It notes when
 * it is due (`nextAttemptAt`, one write, on this path only, when the noted time is earlier: a retry's
 * time the breaker overtook, or none for one never attempted) before its message
 * waits: a check of its queueing claim then finds its message came through and takes nothing over,
 * so it keeps one chain of messages however long the breaker holds it.
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
  const due = new Date(Math.min(release.getTime(), deadline));
  // The log says when it is really tried: a retry's time the breaker overtook is moved to its release.
  if (delivery.nextAttemptAt === undefined || Date.parse(delivery.nextAttemptAt) < due.getTime()) {
    await deps.store.updateDelivery({ ...delivery, nextAttemptAt: due.toISOString() });
  }
  return later(deps, message, due);
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
    const paused: Delivery = { ...rest, ...describe(outcome), status: 'paused' };
    await deps.store.pauseDelivery(paused);
    // An enable landing between the disable and the note found no note: resumed at once, as below.
    return settlePaused(deps, paused);
  }
  await failed(deps, message, { delivery: tried, now: deps.clock.now(), outcome });
}

/**
 * One queue message: sends its delivery when it is due, unless it is done already (a message
 * delivered twice), its customer was erased (cancelled, the payload dropped from the log), its
 * subscription is disabled (paused, until an admin enables it), gone or no longer takes its event
 * (cancelled), or the endpoint's breaker is open (it waits, without counting an attempt, until a
 * random point of one more breaker window after the breaker closes). A check of a queueing claim
 * goes on only once it took the claim over, and from then on is the delivery's own message; a
 * delivery's own message whose claim was taken over sends nothing.
 */
export async function deliverWebhook(deps: DeliverDeps, message: DeliveryMessage): Promise<void> {
  if (message.dueAt && Date.parse(message.dueAt) > deps.clock.now().getTime()) {
    return later(deps, message, new Date(message.dueAt));
  }
  const delivery = await deps.store.getDelivery(message.subscriptionId, message.deliveryId);
  if (delivery?.status !== 'pending' || !delivery.event) return;
  const pending = { ...delivery, event: delivery.event };
  const own =
    message.claim === undefined
      ? await claimStillHeld(deps, message, delivery)
      : await claimTakenOver(deps, message, delivery);
  if (!own) return;
  // A claim taken over or renewed here is written back with the outcome, not the one read before.
  await deliverPending(deps, own, own.queuedAt ? { ...pending, queuedAt: own.queuedAt } : pending);
}

/** A pending delivery, read for its message: see deliverWebhook. */
async function deliverPending(
  deps: DeliverDeps,
  message: DeliveryMessage,
  delivery: Delivery & { event: NonNullable<Delivery['event']> },
): Promise<void> {
  const now = deps.clock.now();
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
    const paused: Delivery = { ...rest, status: 'paused', lastError: 'subscription disabled' };
    await deps.store.pauseDelivery(paused);
    // Its copy of the subscription may be a second old: enabled meanwhile, it is resumed at once.
    return settlePaused(deps, paused);
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
  await attempt(deps, message, subscription, delivery);
}
