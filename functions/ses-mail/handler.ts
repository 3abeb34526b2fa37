import { getObjectBytes } from '#shared/aws/s3-lite.js';
import { sqsSendMessageBatch } from '#shared/aws/sqs-lite.js';
import { loadConfig, requireSettings } from '#shared/config/config.js';
import { SqsEnvelopeQueue } from '#shared/queue/sqs-envelope-queue.js';
import { createMailConsumer } from './consumer.js';

const config = requireSettings(loadConfig(), ['INBOUND_QUEUE_URL']);

/** The mail queue's consumer: verified SES notifications to envelopes on the inbound queue. */
export const handler = createMailConsumer({
  queue: new SqsEnvelopeQueue((input) => sqsSendMessageBatch(input), config.INBOUND_QUEUE_URL),
  fetchObject: (bucket, key) => getObjectBytes(bucket, key),
});
