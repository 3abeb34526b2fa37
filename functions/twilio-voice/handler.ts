import { createTwilioVoiceWebhook } from '#shared/channels/twilio/voice-webhook.js';
import { twilioVoiceWebhookHandler } from '#shared/lambda/twilio-voice-handler.js';

/** API Gateway (HTTP API, payload 2.0) events straight to the webhook: no SDK, no Hono on this path. */
export const handler = await twilioVoiceWebhookHandler(createTwilioVoiceWebhook);
