import { createWhatsAppWebhook } from '#shared/channels/whatsapp/webhook.js';
import { metaWebhookHandler } from '#shared/lambda/webhook-handler.js';

/** API Gateway (HTTP API, payload 2.0) events straight to the webhook: no SDK, no Hono on this path. */
export const handler = await metaWebhookHandler(
  createWhatsAppWebhook,
  (config) => ({ whatsapp: config.WHATSAPP_PHONE_NUMBER_ID }),
  ['WHATSAPP_PHONE_NUMBER_ID'],
);
