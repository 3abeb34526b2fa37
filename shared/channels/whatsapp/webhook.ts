import type { Webhook } from '#shared/http/webhook.js';
import { createMetaSignedWebhook, type MetaWebhookDeps } from '../meta/signed-webhook.js';
import { normaliseWhatsApp } from './normalise.js';

/**
 * `GET /webhooks/whatsapp` answers Meta's verification handshake; `POST` takes WhatsApp Cloud API
 * messages, statuses and errors, and answers 200 only once they are on the queue (Meta retries any
 * other answer for up to 7 days).
 */
export function createWhatsAppWebhook(deps: MetaWebhookDeps): Webhook {
  return createMetaSignedWebhook(
    {
      path: '/webhooks/whatsapp',
      provider: 'whatsapp',
      normalise: normaliseWhatsApp,
      ack: 'OK',
      // The phone number id of the sample Meta's dashboard sends ("this is a text message").
      sampleAccounts: ['123456123'],
    },
    deps,
  );
}
