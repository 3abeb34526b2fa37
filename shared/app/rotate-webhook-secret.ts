import { rotatedSecrets, type Subscription } from '#shared/domain/webhooks.js';
import { NotFoundError } from '#shared/errors.js';
import { audited } from './audited.js';
import type { WebhookAdminDeps } from './create-webhook.js';

/**
 * Gives a subscription a new signing secret (audited) and answers it once. The secret it replaces keeps
 * signing for 24 hours beside it (every signature in `webhook-signature`), and so does an earlier one
 * still in its own 24 hours (a rotation retried after a lost answer drops no secret a receiver holds),
 * at most MAX_SIGNING_SECRETS in all; a secret past its 24 hours is dropped.
 */
export async function rotateWebhookSecret(
  deps: Omit<WebhookAdminDeps, 'newId' | 'urls'>,
  id: string,
  agentId: string,
): Promise<Subscription> {
  return audited(
    deps,
    { agentId, action: 'webhook_rotate_secret', customerIds: [], webhookId: id },
    async () => {
      const subscription = await deps.webhooks.getSubscription(id);
      if (!subscription) throw new NotFoundError(`no webhook ${id}`);
      const secrets = rotatedSecrets(subscription.secrets, deps.newSecret(), deps.clock.now());
      await deps.webhooks.setSecrets(id, secrets);
      return { ...subscription, secrets };
    },
  );
}
