import { webhookOriginOf } from '#shared/domain/audit.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import { NotFoundError } from '#shared/errors.js';
import { type AuditDeps, type AuditEntry, audited } from './audited.js';

/**
 * Removes a subscription (audited, naming it and the origin it sent to, which outlive it there): its
 * pending deliveries are cancelled when they come up.
 */
export async function deleteWebhook(
  deps: AuditDeps & { webhooks: Pick<WebhookStore, 'getSubscription' | 'deleteSubscription'> },
  id: string,
  agentId: string,
): Promise<void> {
  const entry: AuditEntry = { agentId, action: 'webhook_delete', customerIds: [], webhookId: id };
  await audited(deps, entry, async () => {
    const subscription = await deps.webhooks.getSubscription(id);
    if (!subscription) throw new NotFoundError(`no webhook ${id}`);
    const origin = webhookOriginOf(subscription.url);
    if (origin) entry.webhookOrigin = origin;
    await deps.webhooks.deleteSubscription(id);
  });
}
