import { LATE_EVENT_MS, loggedAt } from '#shared/domain/delivery-log.js';
import type { PageCursors } from '#shared/domain/page-cursor.js';
import type { Clock } from '#shared/domain/ports.js';
import type { DeliveryQueue, ErasureCheck, WebhookStore } from '#shared/domain/webhook-ports.js';
import { stalled } from '#shared/domain/webhooks.js';
import { NotFoundError, ValidationError } from '#shared/errors.js';
import { type AuditDeps, type AuditEntry, audited } from './audited.js';
import { spreadDelaySeconds } from './enable-webhook.js';
import { pendingAgain, refuseWhileDisabled, replayMessage, whyNotAgain } from './replay-webhook-delivery.js';

/**
 * What a bulk replay may send again: `failed` (the default), `delivered`, for an endpoint that
 * answered 2xx and lost them, and `pending`, only those whose retry is overdue past STALLED_AFTER_MS
 * (their message lost). Not `cancelled`: of a subscription still there, those are its erased
 * customers', which never go out again.
 */
export type ReplayableStatus = 'failed' | 'delivered' | 'pending';

/** Failed deliveries one call reads at most (a filter over the log: it may replay fewer). */
export const REPLAYS_PER_CALL = 500;

/** What a bulk replay answers: how many went out again, how many were refused, where to go on. */
export interface FailedReplayed {
  replayed: number;
  /** Deliveries of an erased (or being erased) customer: nothing about them goes out again. */
  gone: number;
  /** Null when every failed delivery since `since` has been looked at; else call again with it. */
  cursor: string | null;
}

/**
 * Sends again, as an admin (audited once per call), every delivery of a subscription that was given up
 * on (`failed`) and made at or after `since` (`loggedAt`: a message the provider sent late, timed days
 * before, counts from when it came; the log is read up to LATE_EVENT_MS before `since` for those): after an outage longer than the 24-hour retry window, one
 * call per page of the log instead of one per delivery. Each is replayed as `POST
 * .../deliveries/{id}/replay` does (same `webhook-id`, a new 24-hour window, its history kept), spread
 * as an enable spreads what it resumes (`spreadDelaySeconds`). A delivery replayed is pending, no longer failed, so a call repeated (a
 * client's retry, a crash halfway) replays only what is still failed. With `statuses` including
 * `delivered` (audited as `webhook_replay_delivered`), the delivered ones too: a call repeated then sends
 * again those delivered since. 409 `webhook_disabled` while the subscription is disabled, as for one
 * delivery.
 */
export async function replayFailedDeliveries(
  deps: AuditDeps & {
    webhooks: Pick<WebhookStore, 'getSubscription' | 'listDeliveries' | 'updateDelivery'> & {
      isErased: ErasureCheck;
    };
    queue: DeliveryQueue;
    clock: Clock;
    cursors: PageCursors;
  },
  input: {
    subscriptionId: string;
    since: string;
    cursor?: string | undefined;
    statuses?: readonly ReplayableStatus[] | undefined;
  },
  agentId: string,
): Promise<FailedReplayed> {
  const statuses = input.statuses ?? ['failed'];
  const scope = ['webhook-replay', input.subscriptionId, [...statuses].sort().join(',')] as const;
  const cursor = deps.cursors.open(input.cursor, scope);
  const entry: AuditEntry = {
    agentId,
    action: statuses.includes('delivered') ? 'webhook_replay_delivered' : 'webhook_replay_failed',
    customerIds: [],
    webhookId: input.subscriptionId,
  };
  return audited(deps, entry, async () => {
    // No delivery is made after now: a later `since` (a mistyped year) would replay nothing, said as done.
    if (Date.parse(input.since) > deps.clock.now().getTime())
      throw new ValidationError(`since must not be after now (${deps.clock.now().toISOString()})`);
    const subscription = await deps.webhooks.getSubscription(input.subscriptionId);
    if (!subscription) throw new NotFoundError(`no webhook ${input.subscriptionId}`);
    refuseWhileDisabled(subscription);
    const page = await deps.webhooks.listDeliveries(input.subscriptionId, {
      limit: REPLAYS_PER_CALL,
      cursor,
      status: statuses,
    });
    // In the events' order, newest first: a delivery made since `since` of an event sent late is up to
    // LATE_EVENT_MS further on, so the page is read that far; past it, the log holds nothing more.
    const floor = new Date(Date.parse(input.since) - LATE_EVENT_MS).toISOString();
    const within = page.items.filter((delivery) => delivery.createdAt >= floor);
    const at = deps.clock.now();
    // A pending delivery on its way is left to it: only one whose message was lost goes again.
    const wanted = within.filter(
      (delivery) =>
        loggedAt(delivery) >= input.since && (delivery.status !== 'pending' || stalled(delivery, at)),
    );
    const result: FailedReplayed = {
      replayed: 0,
      gone: 0,
      cursor: within.length < page.items.length ? null : deps.cursors.seal(page.cursor, scope),
    };
    const now = at.toISOString();
    const customers = new Set<string>();
    for (const delivery of wanted) {
      customers.add(delivery.customerId);
      if (await whyNotAgain(deps.webhooks.isErased, delivery)) {
        result.gone += 1;
        continue;
      }
      const replayed = pendingAgain(delivery, now);
      await deps.webhooks.updateDelivery(replayed);
      await deps.queue.send(replayMessage(replayed), spreadDelaySeconds(result.replayed));
      result.replayed += 1;
    }
    entry.customerIds = [...customers];
    return result;
  });
}
