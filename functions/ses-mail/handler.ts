import { getObjectBytes } from '#shared/aws/s3-lite.js';
import { loadConfig, requireSettings } from '#shared/config/config.js';
import { lambdaDeadLetter } from '#shared/lambda/dead-letter.js';
import { sqsEnvelopeQueue } from '#shared/lambda/envelope-queue.js';
import { createMailConsumer } from '#shared/queue/mail-consumer.js';

const config = requireSettings(loadConfig(), ['INBOUND_QUEUE_URL']);

/** The mail queue's consumer: verified SES notifications to envelopes on the inbound queue. */
export const handler = createMailConsumer({
  queue: sqsEnvelopeQueue(config.INBOUND_QUEUE_URL),
  fetchObject: (bucket, key) => getObjectBytes(bucket, key),
  formSenders: config.EMAIL_FORM_SENDERS,
  fallbackCharset: config.EMAIL_FALLBACK_CHARSET,
  deadLetter: lambdaDeadLetter(config.MAIL_DEAD_LETTER_QUEUE_URL),
});
