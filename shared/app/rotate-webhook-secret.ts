import { ROTATION_GRACE_MS, type Subscription } from '#shared/domain/webhooks.js';
import { NotFoundError } from '#shared/errors.js';
import { audited } from './audited.js';
import type { WebhookAdminDeps } from './create-webhook.js';

/**
 * Gives a subscription a new signing secret (audited) and answers it once. The old one keeps signing
 * for 24 hours beside it (both signatures in `webhook-signature`), so the receiver can switch without
 * losing an event; a secret older than that is dropped.
 */
export async function rotateWebhookSecret(
  deps: Omit<WebhookAdminDeps, 'newId' | 'urls'>,
  id: string,
  agentId: string,
): Promise<Subscription> {
  return audited(deps, { agentId, action: 'webhook_rotate_secret', customerIds: [] }, async () => {
    const subscription = await deps.webhooks.getSubscription(id);
    if (!subscription) throw new NotFoundError(`no webhook ${id}`);
    const now = deps.clock.now();
    const [current] = subscription.secrets;
    const secrets = [
      { secret: deps.newSecret() },
      ...(current
        ? [{ secret: current.secret, expiresAt: new Date(now.getTime() + ROTATION_GRACE_MS).toISOString() }]
        : []),
    ];
    await deps.webhooks.setSecrets(id, secrets);
    return { ...subscription, secrets };
  });
}
