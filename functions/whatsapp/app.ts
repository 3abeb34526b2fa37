import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import { createMetaWebhook, type MetaWebhookDeps } from '#shared/http/meta-webhook.js';
import type { Webhook } from '#shared/http/webhook.js';

/** What the WhatsApp webhook needs. */
export type WhatsAppAppDeps = MetaWebhookDeps;

/**
 * `GET /webhooks/whatsapp` answers Meta's verification handshake; `POST` takes WhatsApp Cloud API
 * messages, statuses and errors, and answers 200 only once they are on the queue (Meta retries any
 * other answer for up to 7 days).
 */
export function createWhatsAppWebhook(deps: WhatsAppAppDeps): Webhook {
  return createMetaWebhook(
    { path: '/webhooks/whatsapp', provider: 'whatsapp', normalise: normaliseWhatsApp, ack: 'OK' },
    deps,
  );
}
