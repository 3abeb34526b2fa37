import { SQSClient } from '@aws-sdk/client-sqs';
import { handle } from 'hono/aws-lambda';
import { requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { systemClock } from '#shared/domain/ports.js';
import { SqsEnvelopeQueue } from '#shared/queue/sqs-envelope-queue.js';
import { createTwilioSmsApp } from './app.js';

const config = requireSettings(await loadConfigWithSecrets(), ['INBOUND_QUEUE_URL', 'TWILIO_AUTH_TOKEN']);

const app = createTwilioSmsApp({
  queue: new SqsEnvelopeQueue(new SQSClient({}), config.INBOUND_QUEUE_URL),
  clock: systemClock,
  authToken: config.TWILIO_AUTH_TOKEN,
  publicBaseUrl: config.PUBLIC_BASE_URL,
  maxBodyBytes: config.MAX_BODY_BYTES,
});

export const handler = handle(app);
