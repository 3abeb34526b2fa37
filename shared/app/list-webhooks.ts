import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import type { SubscriptionView } from '#shared/domain/webhooks.js';

/** Every subscription, oldest first, without their secrets. */
export async function listWebhooks(deps: {
  webhooks: Pick<WebhookStore, 'listSubscriptions'>;
}): Promise<SubscriptionView[]> {
  const all = await deps.webhooks.listSubscriptions();
  return all
    .map(({ secrets: _secret, ...view }) => view)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}
