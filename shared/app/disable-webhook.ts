import type { Clock } from '#shared/domain/ports.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import type { SubscriptionView } from '#shared/domain/webhooks.js';
import { NotFoundError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';

/**
 * Disables a subscription as an admin (audited), as its endpoint's `410` does: nothing more is sent,
 * its pending deliveries are paused as their turn comes and the events made meanwhile are held, until
 * `enableWebhook` resumes them; its log is kept (a delete would cancel them). One already disabled is
 * left as it was, its first reason and time standing: calling it again changes nothing.
 */
export async function disableWebhook(
  deps: AuditDeps & { webhooks: Pick<WebhookStore, 'getSubscription' | 'disableSubscription'>; clock: Clock },
  id: string,
  agentId: string,
): Promise<SubscriptionView> {
  return audited(deps, { agentId, action: 'webhook_disable', customerIds: [], webhookId: id }, async () => {
    const found = await deps.webhooks.getSubscription(id);
    if (!found) throw new NotFoundError(`no webhook ${id}`);
    const { secrets: _secrets, ...view } = found;
    if (view.disabledAt) return view;
    const disabledAt = deps.clock.now().toISOString();
    const disabledReason = `disabled by an admin (${agentId})`;
    await deps.webhooks.disableSubscription(id, disabledAt, disabledReason);
    return { ...view, disabledAt, disabledReason };
  });
}
