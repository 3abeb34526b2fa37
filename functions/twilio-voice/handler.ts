import { getSecretString } from '#shared/aws/secrets-lite.js';
import { sqsSendMessageBatch } from '#shared/aws/sqs-lite.js';
import { createTwilioVoiceWebhook } from '#shared/channels/twilio/voice-webhook.js';
import { requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { systemClock } from '#shared/domain/ports.js';
import { lambdaWebhook } from '#shared/lambda/webhook-lambda.js';
import { SqsEnvelopeQueue } from '#shared/queue/sqs-envelope-queue.js';

const config = requireSettings(await loadConfigWithSecrets((id) => getSecretString(id)), [
  'INBOUND_QUEUE_URL',
  'TWILIO_AUTH_TOKEN',
]);

const webhook = createTwilioVoiceWebhook({
  queue: new SqsEnvelopeQueue((input) => sqsSendMessageBatch(input), config.INBOUND_QUEUE_URL),
  clock: systemClock,
  authToken: config.TWILIO_AUTH_TOKEN,
  publicBaseUrl: config.PUBLIC_BASE_URL,
  maxBodyBytes: config.MAX_BODY_BYTES,
  greeting: config.VOICE_GREETING,
});

/** API Gateway (HTTP API, payload 2.0) events straight to the webhook: no SDK, no Hono on this path. */
export const handler = lambdaWebhook(webhook);
