import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MailNotificationSchema } from '#shared/channels/ses/mail.js';
import { type FetchObject, mailEnvelopes } from '#shared/channels/ses/mail-envelopes.js';
import type { EnvelopeQueue } from '#shared/domain/ports.js';
import { ValidationError } from '#shared/errors.js';
import { enqueueEnvelopes } from '#shared/http/enqueue.js';
import { logger } from '#shared/log.js';
import { type DeadLetter, errorFields, sqsBatchHandler } from './sqs-batch.js';

/** What ses-mail's consumer needs: the inbound queue, and S3 for mail a receipt rule stored there. */
export interface MailDeps {
  queue: EnvelopeQueue;
  fetchObject: FetchObject;
  /** EMAIL_FORM_SENDERS: whose authenticated mail is its Reply-To address's. */
  formSenders?: readonly string[] | undefined;
  /** EMAIL_FALLBACK_CHARSET: the charset of mail text that is not UTF-8 and names none. */
  fallbackCharset?: string | undefined;
  /** The mail queue's dead-letter queue, for a notification that failed permanently. */
  deadLetter?: DeadLetter | undefined;
}

/**
 * ses-mail's SQS consumer: each record is one verified SES notification, turned into envelopes on the
 * inbound queue on its own, so one that fails (S3 or the queue unavailable) is redelivered, then
 * dead-lettered, without holding back the rest of its batch. A record that can never become envelopes
 * (not a notification, not JSON) fails permanently: retrying it would fail the same way, so with
 * `deadLetter` it goes to the dead-letter queue at once (its reason in the message's attributes).
 */
export function createMailConsumer(deps: MailDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const notification = MailNotificationSchema.safeParse(body);
    if (!notification.success) {
      logger.error('record is not a mail notification', { messageId: record.messageId });
      throw new ValidationError(`record ${record.messageId} is not a mail notification`);
    }
    const { snsMessageId } = notification.data;
    try {
      const { envelopes } = await mailEnvelopes(notification.data, deps);
      await enqueueEnvelopes(deps.queue, envelopes);
      logger.info('mail notification normalised', {
        provider: 'ses',
        snsMessageId,
        envelopes: envelopes.length,
      });
    } catch (error) {
      if (error instanceof ValidationError) {
        // Permanent: dead-lettered at once (`sqsBatchHandler`), the alarm raised, a redrive possible.
        logger.error('ses notification rejected', { provider: 'ses', snsMessageId, reason: error.message });
        throw error;
      }
      // Ids and error names only: the notification is customer data.
      logger.warn('mail notification failed', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        snsMessageId,
        ...errorFields(error),
      });
      throw error;
    }
  };
  return sqsBatchHandler(recordHandler, { deadLetter: deps.deadLetter });
}
