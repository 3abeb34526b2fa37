import { SQSClient } from '@aws-sdk/client-sqs';
import { handle } from 'hono/aws-lambda';
import { requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { systemClock } from '#shared/domain/ports.js';
import { SqsEnvelopeQueue } from '#shared/queue/sqs-envelope-queue.js';
import { createMetaApp } from './app.js';

const config = requireSettings(await loadConfigWithSecrets(), [
  'INBOUND_QUEUE_URL',
  'META_APP_SECRET',
  'META_VERIFY_TOKEN',
]);

const app = createMetaApp({
  queue: new SqsEnvelopeQueue(new SQSClient({}), config.INBOUND_QUEUE_URL),
  clock: systemClock,
  appSecret: config.META_APP_SECRET,
  verifyToken: config.META_VERIFY_TOKEN,
  maxBodyBytes: config.MAX_BODY_BYTES,
});

export const handler = handle(app);
