import { webhookOriginOf } from '#shared/domain/audit.js';
import { type IfMatch, meetsIfMatch } from '#shared/domain/revision-tag.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import { NotFoundError } from '#shared/errors.js';
import { type AuditDeps, type AuditEntry, audited } from './audited.js';
import { staleWebhook } from './update-webhook.js';
import { releaseGuards } from './webhook-guards.js';

/**
 * Removes a subscription (audited, naming it and the origin it sent to, which outlive it there): its
 * pending deliveries are cancelled when they come up, and its URL and events may be subscribed again
 * (its events' guards are let go after it, so a crash in between leaves guards naming no subscription,
 * which the next create or edit takes over). Its id is marked deleted for good: a create retried with
 * the `Idempotency-Key` that made it is refused, never the same subscription made again. With an
 * `If-Match` (`ifMatch`), a subscription edited since the revision it names is kept (412), checked on
 * the read and again by the delete's condition (a mark left by a refused one is harmless: the id is
 * still taken by the subscription).
 */
export async function deleteWebhook(
  deps: AuditDeps & {
    webhooks: Pick<
      WebhookStore,
      'getSubscription' | 'deleteSubscription' | 'releaseSubscriptionKey' | 'markDeleted'
    >;
  },
  id: string,
  agentId: string,
  ifMatch?: IfMatch,
): Promise<void> {
  const entry: AuditEntry = { agentId, action: 'webhook_delete', customerIds: [], webhookId: id };
  await audited(deps, entry, async () => {
    const subscription = await deps.webhooks.getSubscription(id);
    if (!subscription) throw new NotFoundError(`no webhook ${id}`);
    if (!meetsIfMatch(ifMatch, subscription.revision)) throw staleWebhook(id, subscription.revision);
    const origin = webhookOriginOf(subscription.url);
    if (origin) entry.webhookOrigin = origin;
    // The mark first: a crash after it leaves the subscription, which a second delete finds again.
    await deps.webhooks.markDeleted(id, deps.clock.now().toISOString());
    const revision = ifMatch === undefined || ifMatch === '*' ? undefined : (subscription.revision ?? 0);
    if (!(await deps.webhooks.deleteSubscription(id, revision))) {
      const now = await deps.webhooks.getSubscription(id);
      // Gone meanwhile: deleted all the same. Still there: edited since the read.
      if (now) throw staleWebhook(id, now.revision);
    }
    await releaseGuards(deps.webhooks, subscription, undefined, subscription);
  });
}
