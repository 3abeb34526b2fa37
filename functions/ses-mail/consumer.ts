import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type MailNotification, MailNotificationSchema } from '#shared/channels/ses/mail.js';
import {
  normaliseSesNotification,
  type SesNormalised,
  sesS3Location,
} from '#shared/channels/ses/normalise.js';
import type { EnvelopeQueue } from '#shared/domain/ports.js';
import { UnavailableError, ValidationError } from '#shared/errors.js';
import { enqueueEnvelopes } from '#shared/http/enqueue.js';
import { logger } from '#shared/log.js';
import { errorFields, sqsBatchHandler } from '#shared/queue/sqs-batch.js';

/** Reads an object from S3: the raw email a receipt rule's S3 action stored. */
export type FetchObject = (bucket: string, key: string) => Promise<Uint8Array>;

/** What turning SES notifications into envelopes needs. */
export interface MailDeps {
  queue: EnvelopeQueue;
  fetchObject: FetchObject;
}

/**
 * The envelopes of one SES notification: its email fetched from S3 when the receipt rule stored it
 * there, parsed, and normalised. Throws ValidationError for a notification that can never become
 * envelopes (not JSON), UnavailableError when S3 cannot be read (worth retrying).
 */
export async function mailEnvelopes(
  notification: MailNotification,
  deps: Pick<MailDeps, 'fetchObject'>,
): Promise<SesNormalised> {
  const { snsMessageId } = notification;
  let parsed: unknown;
  try {
    parsed = JSON.parse(notification.message);
  } catch (error) {
    throw new ValidationError('the SNS Message is not JSON', { cause: error });
  }
  const location = sesS3Location(parsed);
  let rawMime: Uint8Array | undefined;
  if (location) {
    try {
      rawMime = await deps.fetchObject(location.bucket, location.key);
    } catch (error) {
      throw new UnavailableError('could not read the received email from S3', { cause: error });
    }
  }
  const normalised = await normaliseSesNotification(
    parsed,
    { receivedAt: notification.receivedAt, snsMessageId },
    rawMime,
  );
  for (const r of normalised.rejected) {
    logger.warn('ses notification rejected', {
      provider: 'ses',
      snsMessageId,
      pointer: r.pointer,
      reason: r.reason,
    });
  }
  return normalised;
}

/**
 * ses-mail's SQS consumer: each record is one verified SES notification, turned into envelopes on the
 * inbound queue on its own, so one that fails (S3 or the queue unavailable) is redelivered, then
 * dead-lettered, without holding back the rest of its batch. A record that can never become envelopes
 * (not a notification, not JSON) is logged and dropped: retrying it would fail the same way.
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
      logger.error('record is not a mail notification, dropped', { messageId: record.messageId });
      return;
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
        logger.warn('ses notification rejected', { provider: 'ses', snsMessageId, reason: error.message });
        return;
      }
      // Ids and error names only: the notification is customer data.
      logger.warn('mail notification failed, will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        snsMessageId,
        ...errorFields(error),
      });
      throw error;
    }
  };
  return sqsBatchHandler(recordHandler);
}
