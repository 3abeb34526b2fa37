import type { Hono } from 'hono';
import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import { createMetaWebhook, type MetaWebhookDeps } from '#shared/http/meta-webhook.js';
import type { Webhook } from '#shared/http/webhook.js';
import { webhookApp } from '#shared/http/webhook-hono.js';

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

/** The WhatsApp webhook as a Hono app (local runtime, tests). */
export function createWhatsAppApp(deps: WhatsAppAppDeps): Hono {
  return webhookApp(createWhatsAppWebhook(deps));
}
