import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import { subscriptionKeyOf } from '#shared/domain/webhooks.js';
import { NotFoundError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';

/**
 * Removes a subscription (audited): its pending deliveries are cancelled when they come up, and its
 * URL and events may be subscribed again (its guard is let go after it, so a crash in between leaves
 * a guard naming no subscription, which the next create takes over).
 */
export async function deleteWebhook(
  deps: AuditDeps & {
    webhooks: Pick<WebhookStore, 'getSubscription' | 'deleteSubscription' | 'releaseSubscriptionKey'>;
  },
  id: string,
  agentId: string,
): Promise<void> {
  await audited(deps, { agentId, action: 'webhook_delete', customerIds: [] }, async () => {
    const subscription = await deps.webhooks.getSubscription(id);
    if (!subscription) throw new NotFoundError(`no webhook ${id}`);
    await deps.webhooks.deleteSubscription(id);
    await deps.webhooks.releaseSubscriptionKey(subscriptionKeyOf(subscription), id);
  });
}
