import type { Hono } from 'hono';
import type { MetaWebhookDeps } from '#shared/channels/meta/signed-webhook.js';
import { createMetaWebhook } from '#shared/channels/meta/webhook.js';
import { createSesWebhook, type SesWebhookDeps } from '#shared/channels/ses/webhook.js';
import { createTwilioSmsWebhook } from '#shared/channels/twilio/sms-webhook.js';
import {
  createTwilioVoiceWebhook,
  type TwilioVoiceWebhookDeps,
} from '#shared/channels/twilio/voice-webhook.js';
import type { TwilioWebhookDeps } from '#shared/channels/twilio/webhook-request.js';
import { createWhatsAppWebhook } from '#shared/channels/whatsapp/webhook.js';
import { webhookApp } from '#shared/http/webhook-hono.js';

// The webhook functions as Hono apps, for the local runtime and tests. They live here, not beside each
// provider's webhook, so that no Lambda bundle imports Hono: it is not marked free of side effects, and
// esbuild would keep part of it in every webhook bundle.

/** The WhatsApp webhook. */
export function createWhatsAppApp(deps: MetaWebhookDeps): Hono {
  return webhookApp(createWhatsAppWebhook(deps));
}

/** The Messenger and Instagram webhook. */
export function createMetaApp(deps: MetaWebhookDeps): Hono {
  return webhookApp(createMetaWebhook(deps));
}

/** The SES webhook (SNS over HTTPS). */
export function createSesApp(deps: SesWebhookDeps): Hono {
  return webhookApp(createSesWebhook(deps));
}

/** The Twilio messaging webhooks. */
export function createTwilioSmsApp(deps: TwilioWebhookDeps): Hono {
  return webhookApp(createTwilioSmsWebhook(deps));
}

/** The Twilio voice webhooks. */
export function createTwilioVoiceApp(deps: TwilioVoiceWebhookDeps): Hono {
  return webhookApp(createTwilioVoiceWebhook(deps));
}
