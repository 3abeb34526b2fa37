import { createHash } from 'node:crypto';
import { webhookOriginOf } from '#shared/domain/audit.js';
import type { SubscribedEvent } from '#shared/domain/events/integration-events.js';
import type { Clock } from '#shared/domain/ports.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import { refusedUrl, type UrlPolicy } from '#shared/domain/webhook-url.js';
import { normalisedUrl, type Subscription } from '#shared/domain/webhooks.js';
import { UnprocessableError, ValidationError } from '#shared/errors.js';
import { type AuditDeps, type AuditEntry, audited } from './audited.js';
import { claimEventGuards, listedTwin, twinError } from './webhook-guards.js';

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
  events: SubscribedEvent[];
  description?: string | undefined;
}

/**
 * The id a create with an `Idempotency-Key` makes: the same for the same admin and key, so a retried
 * create finds the subscription its lost answer was about.
 */
export function idempotentWebhookId(agentId: string, key: string): string {
  const hash = createHash('sha256').update(`${agentId}\u0000${key}`).digest('base64url');
  return `wh_k${hash.slice(0, 32).replace(/[-_]/g, 'x')}`;
}

/** Whether a subscription is the one a create asked for: the same URL, events and description. */
function sameAs(subscription: Subscription, request: WebhookRequest): boolean {
  const events = new Set(request.events);
  return (
    normalisedUrl(subscription.url) === normalisedUrl(request.url) &&
    (subscription.description ?? '') === (request.description ?? '') &&
    subscription.events.length === events.size &&
    subscription.events.every((e) => events.has(e))
  );
}

/**
 * Subscribes an endpoint as an admin (audited) and answers it with its signing secret, the only time
 * the secret is shown, except to a retry: with an `Idempotency-Key`, a create retried by the same admin
 * answers the subscription it made (`created: false`; the key for another request is a 422, as a reply's is). A URL
 * that could reach into the network is refused, and so (409 naming it) is a second active subscription
 * of the same URL taking any of the same events, which would receive each of those twice: edit the
 * first instead (updateWebhook). Each event's guard is claimed after the subscription is written, so
 * of two creates at once one is refused; the refused one deletes its subscription and lets go of the
 * guards it claimed.
 */
export async function createWebhook(
  deps: WebhookAdminDeps,
  request: WebhookRequest,
  agentId: string,
  idempotencyKey?: string,
): Promise<{ subscription: Subscription; created: boolean }> {
  const entry: AuditEntry = { agentId, action: 'webhook_create', customerIds: [] };
  const origin = webhookOriginOf(request.url);
  if (origin) entry.webhookOrigin = origin;
  return audited(deps, entry, async () => {
    const refused = refusedUrl(request.url, deps.urls);
    if (refused) throw new ValidationError(`url refused: ${refused}`);
    const id = idempotencyKey ? idempotentWebhookId(agentId, idempotencyKey) : deps.newId();
    const made = idempotencyKey ? await deps.webhooks.getSubscription(id) : undefined;
    entry.webhookId = id;
    if (made) {
      if (!sameAs(made, request)) {
        throw new UnprocessableError(
          'this Idempotency-Key was used for another subscription (URL, events or description): a new subscription needs a new key',
          'idempotency_key_reused',
        );
      }
      return { subscription: made, created: false };
    }
    if (idempotencyKey && (await deps.webhooks.wasDeleted(id))) {
      throw new UnprocessableError(
        'the subscription this Idempotency-Key made was deleted since: use a new key to subscribe again',
        'idempotency_key_reused',
      );
    }
    const listed = listedTwin(await deps.webhooks.listSubscriptions(), { ...request, id });
    if (listed) {
      entry.webhookId = listed.id;
      throw twinError(listed);
    }
    const subscription: Subscription = {
      id,
      url: request.url,
      events: [...new Set(request.events)],
      ...(request.description ? { description: request.description } : {}),
      createdAt: deps.clock.now().toISOString(),
      createdBy: agentId,
      secrets: [{ secret: deps.newSecret() }],
      consecutiveFailures: 0,
    };
    await deps.webhooks.putSubscription(subscription);
    // The list above lags (an index): two creates at once both miss each other there, not here.
    const twin = await claimEventGuards(deps.webhooks, subscription).catch(async (error: unknown) => {
      await deps.webhooks.deleteSubscription(id);
      throw error;
    });
    if (twin) {
      await deps.webhooks.deleteSubscription(id);
      entry.webhookId = twin.id;
      throw twinError(twin);
    }
    return { subscription, created: true };
  });
}
