import type { Webhook } from '#shared/http/webhook.js';
import { normaliseMetaMessaging } from './normalise.js';
import { createMetaSignedWebhook, type MetaWebhookDeps } from './signed-webhook.js';

/**
 * `GET /webhooks/meta` answers Meta's verification handshake; `POST` takes Messenger (`object: page`)
 * and Instagram (`object: instagram`) events and answers 200 `EVENT_RECEIVED` once they are on the
 * queue. Nothing slow happens here: Messenger disables a webhook that keeps missing its 5 s limit.
 */
export function createMetaWebhook(deps: MetaWebhookDeps): Webhook {
  return createMetaSignedWebhook(
    {
      path: '/webhooks/meta',
      provider: 'meta',
      normalise: normaliseMetaMessaging,
      ack: 'EVENT_RECEIVED',
      // The entry id of the samples Meta's dashboard sends: no Page or Instagram account has it.
      sampleAccounts: ['0'],
    },
    deps,
  );
}
