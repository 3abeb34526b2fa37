import { getSecretString } from '#shared/aws/secrets-lite.js';
import { sqsSendMessageBatch } from '#shared/aws/sqs-lite.js';
import { createWhatsAppWebhook } from '#shared/channels/whatsapp/webhook.js';
import { requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { systemClock } from '#shared/domain/ports.js';
import { lambdaWebhook } from '#shared/lambda/webhook-lambda.js';
import { SqsEnvelopeQueue } from '#shared/queue/sqs-envelope-queue.js';

const config = requireSettings(await loadConfigWithSecrets((id) => getSecretString(id)), [
  'INBOUND_QUEUE_URL',
  'META_APP_SECRET',
  'META_VERIFY_TOKEN',
]);

const webhook = createWhatsAppWebhook({
  queue: new SqsEnvelopeQueue((input) => sqsSendMessageBatch(input), config.INBOUND_QUEUE_URL),
  clock: systemClock,
  appSecret: config.META_APP_SECRET,
  verifyToken: config.META_VERIFY_TOKEN,
  maxBodyBytes: config.MAX_BODY_BYTES,
});

/** API Gateway (HTTP API, payload 2.0) events straight to the webhook: no SDK, no Hono on this path. */
export const handler = lambdaWebhook(webhook);
