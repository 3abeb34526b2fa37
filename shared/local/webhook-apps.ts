import type { Hono } from 'hono';
import { createMetaWebhookFn, type MetaAppDeps } from '#functions/meta/app.js';
import { createSesWebhook, type SesAppDeps } from '#functions/ses/app.js';
import { createTwilioSmsWebhook, type TwilioSmsAppDeps } from '#functions/twilio-sms/app.js';
import { createTwilioVoiceWebhook, type TwilioVoiceAppDeps } from '#functions/twilio-voice/app.js';
import { createWhatsAppWebhook, type WhatsAppAppDeps } from '#functions/whatsapp/app.js';
import { webhookApp } from '#shared/http/webhook-hono.js';

// The webhook functions as Hono apps, for the local runtime and tests. They live here, not beside each
// function, so that no Lambda bundle imports Hono: it is not marked free of side effects, and esbuild
// would keep part of it in every webhook bundle.

/** The WhatsApp webhook. */
export function createWhatsAppApp(deps: WhatsAppAppDeps): Hono {
  return webhookApp(createWhatsAppWebhook(deps));
}

/** The Messenger and Instagram webhook. */
export function createMetaApp(deps: MetaAppDeps): Hono {
  return webhookApp(createMetaWebhookFn(deps));
}

/** The SES webhook (SNS over HTTPS). */
export function createSesApp(deps: SesAppDeps): Hono {
  return webhookApp(createSesWebhook(deps));
}

/** The Twilio messaging webhooks. */
export function createTwilioSmsApp(deps: TwilioSmsAppDeps): Hono {
  return webhookApp(createTwilioSmsWebhook(deps));
}

/** The Twilio voice webhooks. */
export function createTwilioVoiceApp(deps: TwilioVoiceAppDeps): Hono {
  return webhookApp(createTwilioVoiceWebhook(deps));
}
