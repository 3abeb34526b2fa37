import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import type { Subscription, SubscriptionView } from '#shared/domain/webhooks.js';
import { NotFoundError } from '#shared/errors.js';

/** A subscription as admins see it: everything but its secrets, which are shown once only. */
const viewOf = ({ secrets: _secrets, ...view }: Subscription): SubscriptionView => view;

/** Every subscription, oldest first, without their secrets. */
export async function listWebhooks(deps: {
  webhooks: Pick<WebhookStore, 'listSubscriptions'>;
}): Promise<SubscriptionView[]> {
  const all = await deps.webhooks.listSubscriptions();
  return all.map(viewOf).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** One subscription as the list shows it (one strong GetItem); NotFoundError (404) for none. */
export async function getWebhook(
  deps: { webhooks: Pick<WebhookStore, 'getSubscription'> },
  id: string,
): Promise<SubscriptionView> {
  const subscription = await deps.webhooks.getSubscription(id);
  if (!subscription) throw new NotFoundError(`no webhook ${id}`);
  return viewOf(subscription);
}
