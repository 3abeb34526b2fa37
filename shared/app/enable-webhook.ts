import { pastRetention } from '#shared/domain/delivery-log.js';
import type { Clock } from '#shared/domain/ports.js';
import type { DeliveryQueue, WebhookStore } from '#shared/domain/webhook-ports.js';
import {
  type DeliveryMessage,
  deliveryTimeOf,
  neverTried,
  type Subscription,
  type SubscriptionView,
} from '#shared/domain/webhooks.js';
import { NotFoundError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';
import { resumePaused, resumeUnconfirmed, strandedResume } from './paused-deliveries.js';
import { claimEventGuards, type GuardStore, listedTwin, twinError } from './webhook-guards.js';

/** Paused deliveries one enable call resumes: a longer backlog takes more calls (`more`). */
export const RESUMES_PER_CALL = 500;
/** Resumed deliveries queued per second: the endpoint that just came back gets its backlog spread out. */
const RESUMES_PER_SECOND = 10;
/** SQS delays a message by at most 15 minutes. */
const MAX_DELAY_SECONDS = 900;

/**
 * The queue delay of the `n`-th delivery a call sends again (an enable's resumed, a bulk replay's):
 * RESUMES_PER_SECOND a second, so the endpoint that just came back gets its backlog spread out.
 */
export const spreadDelaySeconds = (n: number): number =>
  Math.min(Math.floor(n / RESUMES_PER_SECOND), MAX_DELAY_SECONDS);

/**
 * What became of a paused note's delivery: `queued` (resumed now, or found left pending and unqueued
 * by a resumer past its claim's lease, and queued again), `unconfirmed` (resumed within the lease and
 * not tried since: its resumer's message may be on its way or lost with it, so the note is kept for a
 * later call), `expired` (older than the log keeps one and never sent: still paused, stranded, or
 * already removed by its `ttl`) or `settled` (gone, or settled meanwhile: its customer erased, an
 * admin's replay, tried since its resume).
 */
type NoteOutcome = 'queued' | 'unconfirmed' | 'expired' | 'settled';

/** Resumes the delivery of a paused note, as far as it may: see NoteOutcome. */
async function resumeNoted(
  deps: {
    webhooks: Pick<WebhookStore, 'getDelivery' | 'resumeDelivery' | 'takeOverQueueing'>;
    queue: DeliveryQueue;
    clock: Clock;
  },
  subscriptionId: string,
  deliveryId: string,
  delaySeconds: number,
): Promise<NoteOutcome> {
  const delivery = await deps.webhooks.getDelivery(subscriptionId, deliveryId);
  const now = deps.clock.now();
  // The id carries the event's time: a note whose delivery the table removed is told by it alone.
  const madeAt = delivery?.createdAt ?? deliveryTimeOf(deliveryId);
  if (madeAt && pastRetention({ createdAt: madeAt, madeAt: delivery?.madeAt }, now)) {
    const unsent = !delivery || delivery.status === 'paused' || strandedResume(delivery, now);
    return unsent ? 'expired' : 'settled';
  }
  if (!delivery) return 'settled';
  if (await resumePaused({ ...deps, store: deps.webhooks }, delivery, delaySeconds)) return 'queued';
  if (resumeUnconfirmed(delivery, now)) return 'unconfirmed';
  if (!strandedResume(delivery, now)) return 'settled';
  let message: DeliveryMessage = { deliveryId, subscriptionId };
  // Never tried, a check of its claim may be queued (a change delivered again): the claim is taken
  // over first, as that check would, and carried, so of the two one sends it.
  if (neverTried(delivery) && delivery.queuedAt) {
    const at = now.toISOString();
    const taken = await deps.webhooks.takeOverQueueing(subscriptionId, deliveryId, delivery.queuedAt, at);
    if (!taken) return 'settled';
    message = { ...message, queuedAt: at };
  }
  await deps.queue.send(message, delaySeconds);
  return 'queued';
}

type EnableStore = GuardStore &
  Pick<WebhookStore, 'listSubscriptions' | 'enableSubscription' | 'disableSubscription'>;

/**
 * Takes a disabled subscription back into use unless another active one posts some of its events to
 * its URL (created while it was disabled, taking its guards over): 409 `webhook_exists` naming it, and
 * it stays disabled as it was. As a create writes its subscription before claiming its guards, it is
 * enabled first and claims its guards then (a create that took one over meanwhile reads it again and
 * gives the guard back, see claimEventGuards); refused, it is disabled again with its first time and
 * reason. The list is read first, for subscriptions made before per-event guards, and so that a plain
 * refusal never enables it even for a moment.
 */
async function takeBackIntoUse(webhooks: EnableStore, subscription: Subscription): Promise<void> {
  const listed = listedTwin(await webhooks.listSubscriptions(), subscription);
  if (listed) throw twinError(listed);
  const { id, disabledAt = '', disabledReason = '' } = subscription;
  await webhooks.enableSubscription(id);
  const twin = await claimEventGuards(webhooks, subscription, subscription.events).catch(
    async (error: unknown) => {
      await webhooks.disableSubscription(id, disabledAt, disabledReason);
      throw error;
    },
  );
  if (!twin) return;
  await webhooks.disableSubscription(id, disabledAt, disabledReason);
  throw twinError(twin);
}

/**
 * What enabling answers: the subscription, how many paused deliveries it resumed, how many it found
 * too old to send (`expired`), whether more wait.
 */
export type Enabled = SubscriptionView & { resumed: number; expired: number; more: boolean };

/**
 * Takes a subscription back into use as an admin (audited): no longer disabled, its breaker closed,
 * and up to RESUMES_PER_CALL of the deliveries paused while it was disabled (its backlog then, and the
 * events held since) resumed, each with a new 24-hour retry window, spread at RESUMES_PER_SECOND. One
 * older than the log keeps a delivery (30 days) is not sent: its note is let go, and it is counted in
 * `expired` (with those the table removed already, whose notes are left: their ids tell their age). Calling it again (on
 * an enabled subscription too) resumes the next ones, so an enable cut short is finished by calling it
 * again. One resumed less than the claim's 15 minutes ago and not tried since (by an enable cut short
 * before its message, or at the same moment) keeps its note and makes `more` true: a call once the 15
 * minutes are over queues it if it is still unsent (before, its note was dropped: lost). A disabled
 * one that another active subscription now posts some of its events to the same URL for is refused
 * (409 `webhook_exists` naming it, see takeBackIntoUse) before anything is resumed: both would post them.
 */
export async function enableWebhook(
  deps: AuditDeps & {
    webhooks: EnableStore &
      Pick<
        WebhookStore,
        | 'getSubscription'
        | 'pausedDeliveries'
        | 'getDelivery'
        | 'resumeDelivery'
        | 'takeOverQueueing'
        | 'forgetPaused'
      >;
    queue: DeliveryQueue;
    clock: Clock;
  },
  id: string,
  agentId: string,
): Promise<Enabled> {
  return audited(deps, { agentId, action: 'webhook_enable', customerIds: [], webhookId: id }, async () => {
    const subscription = await deps.webhooks.getSubscription(id);
    if (!subscription) throw new NotFoundError(`no webhook ${id}`);
    // Enabled before the notes are read: a delivery paused meanwhile is found here, or resumed by its
    // writer, who reads the subscription again after writing it (settlePaused).
    if (subscription.disabledAt) await takeBackIntoUse(deps.webhooks, subscription);
    const paused = await deps.webhooks.pausedDeliveries(id, RESUMES_PER_CALL);
    const counts = { resumed: 0, expired: 0 };
    let unconfirmed = 0;
    for (const deliveryId of paused.ids) {
      const outcome = await resumeNoted(deps, id, deliveryId, spreadDelaySeconds(counts.resumed));
      if (outcome === 'queued') counts.resumed += 1;
      if (outcome === 'expired') counts.expired += 1;
      // Its note stays until a call after the lease finds it sent, or left unsent and queues it.
      if (outcome === 'unconfirmed') unconfirmed += 1;
      else await deps.webhooks.forgetPaused(id, deliveryId);
    }
    const more = paused.more || unconfirmed > 0;
    const { secrets: _secrets, ...view } = subscription;
    if (!subscription.disabledAt) return { ...view, ...counts, more };
    const { disabledAt: _d, disabledReason: _r, circuitOpenUntil: _c, ...enabled } = view;
    return { ...enabled, consecutiveFailures: 0, ...counts, more };
  });
}
