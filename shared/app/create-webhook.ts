import type { EventType } from '#shared/domain/events/integration-events.js';
import type { Clock } from '#shared/domain/ports.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import { refusedUrl, type UrlPolicy } from '#shared/domain/webhook-url.js';
import type { Subscription } from '#shared/domain/webhooks.js';
import { ValidationError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';

/** What creating and rotating need: the store, fresh ids and secrets, the URL policy. */
export type WebhookAdminDeps = AuditDeps & {
  webhooks: WebhookStore;
  clock: Clock;
  newId(): string;
  /** A fresh `whsec_<base64>` secret. */
  newSecret(): string;
  urls: UrlPolicy;
};

/** A subscription as an admin asks for it. */
export interface WebhookRequest {
  url: string;
  events: EventType[];
  description?: string | undefined;
}

/**
 * Subscribes an endpoint as an admin (audited) and answers it with its signing secret, the only time
 * the secret is shown. A URL that could reach into the network is refused.
 */
export async function createWebhook(
  deps: WebhookAdminDeps,
  request: WebhookRequest,
  agentId: string,
): Promise<Subscription> {
  return audited(deps, { agentId, action: 'webhook_create', customerIds: [] }, async () => {
    const refused = refusedUrl(request.url, deps.urls);
    if (refused) throw new ValidationError(`url refused: ${refused}`);
    const subscription: Subscription = {
      id: deps.newId(),
      url: request.url,
      events: [...new Set(request.events)],
      ...(request.description ? { description: request.description } : {}),
      createdAt: deps.clock.now().toISOString(),
      createdBy: agentId,
      secrets: [{ secret: deps.newSecret() }],
      consecutiveFailures: 0,
    };
    await deps.webhooks.putSubscription(subscription);
    return subscription;
  });
}
