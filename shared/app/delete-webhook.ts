import { webhookOriginOf } from '#shared/domain/audit.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import { NotFoundError } from '#shared/errors.js';
import { type AuditDeps, type AuditEntry, audited } from './audited.js';
import { releaseGuards } from './webhook-guards.js';

/**
 * Removes a subscription (audited, naming it and the origin it sent to, which outlive it there): its
 * pending deliveries are cancelled when they come up, and its URL and events may be subscribed again
 * (its events' guards are let go after it, so a crash in between leaves guards naming no subscription,
 * which the next create or edit takes over). Its id is marked deleted for good: a create retried with
 * the `Idempotency-Key` that made it is refused, never the same subscription made again.
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
): Promise<void> {
  const entry: AuditEntry = { agentId, action: 'webhook_delete', customerIds: [], webhookId: id };
  await audited(deps, entry, async () => {
    const subscription = await deps.webhooks.getSubscription(id);
    if (!subscription) throw new NotFoundError(`no webhook ${id}`);
    const origin = webhookOriginOf(subscription.url);
    if (origin) entry.webhookOrigin = origin;
    // The mark first: a crash after it leaves the subscription, which a second delete finds again.
    await deps.webhooks.markDeleted(id, deps.clock.now().toISOString());
    await deps.webhooks.deleteSubscription(id);
    await releaseGuards(deps.webhooks, subscription, undefined, subscription);
  });
}
