import type { Clock } from '#shared/domain/ports.js';
import type { DeliveryQueue, WebhookStore } from '#shared/domain/webhook-ports.js';
import {
  type DeliveryMessage,
  deliveryTimeOf,
  neverTried,
  pastRetention,
  type SubscriptionView,
} from '#shared/domain/webhooks.js';
import { NotFoundError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';
import { resumePaused, strandedResume } from './paused-deliveries.js';

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

/** What became of one paused note: its delivery resumed, too old to send, or nothing to do. */
type NoteOutcome = 'resumed' | 'expired' | 'settled';

/**
 * Resumes the delivery of a paused note, unless it is older than the log keeps one (`expired`: still
 * paused, or already removed by its `ttl`), gone, or settled meanwhile (its customer erased, an admin's
 * replay, resumed by its writer); one a resumer left pending and unqueued is queued again.
 */
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
  if (madeAt && pastRetention({ createdAt: madeAt }, now)) {
    const unsent = !delivery || delivery.status === 'paused' || strandedResume(delivery, now);
    return unsent ? 'expired' : 'settled';
  }
  if (!delivery) return 'settled';
  if (await resumePaused({ ...deps, store: deps.webhooks }, delivery, delaySeconds)) return 'resumed';
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
  return 'resumed';
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
 * again.
 */
export async function enableWebhook(
  deps: AuditDeps & {
    webhooks: Pick<
      WebhookStore,
      | 'getSubscription'
      | 'enableSubscription'
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
    if (subscription.disabledAt) await deps.webhooks.enableSubscription(id);
    const paused = await deps.webhooks.pausedDeliveries(id, RESUMES_PER_CALL);
    const counts = { resumed: 0, expired: 0 };
    for (const deliveryId of paused.ids) {
      const outcome = await resumeNoted(deps, id, deliveryId, spreadDelaySeconds(counts.resumed));
      if (outcome !== 'settled') counts[outcome] += 1;
      await deps.webhooks.forgetPaused(id, deliveryId);
    }
    const { secrets: _secrets, ...view } = subscription;
    if (!subscription.disabledAt) return { ...view, ...counts, more: paused.more };
    const { disabledAt: _d, disabledReason: _r, circuitOpenUntil: _c, ...enabled } = view;
    return { ...enabled, consecutiveFailures: 0, ...counts, more: paused.more };
  });
}
