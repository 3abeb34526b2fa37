import { normaliseMetaMessaging } from '#shared/channels/meta-messaging/normalise.js';
import { createMetaWebhook, type MetaWebhookDeps } from '#shared/http/meta-webhook.js';
import type { Webhook } from '#shared/http/webhook.js';

/** What the Messenger and Instagram webhook needs. */
export type MetaAppDeps = MetaWebhookDeps;

/**
 * `GET /webhooks/meta` answers Meta's verification handshake; `POST` takes Messenger (`object: page`)
 * and Instagram (`object: instagram`) events and answers 200 `EVENT_RECEIVED` once they are on the
 * queue. Nothing slow happens here: Messenger disables a webhook that keeps missing its 5 s limit.
 */
export function createMetaWebhookFn(deps: MetaAppDeps): Webhook {
  return createMetaWebhook(
    { path: '/webhooks/meta', provider: 'meta', normalise: normaliseMetaMessaging, ack: 'EVENT_RECEIVED' },
    deps,
  );
}
