import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import { NotFoundError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';

/** Removes a subscription (audited): its pending deliveries are cancelled when they come up. */
export async function deleteWebhook(
  deps: AuditDeps & { webhooks: Pick<WebhookStore, 'getSubscription' | 'deleteSubscription'> },
  id: string,
  agentId: string,
): Promise<void> {
  await audited(deps, { agentId, action: 'webhook_delete', customerIds: [] }, async () => {
    if (!(await deps.webhooks.getSubscription(id))) throw new NotFoundError(`no webhook ${id}`);
    await deps.webhooks.deleteSubscription(id);
  });
}
