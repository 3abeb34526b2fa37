import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type DeliveryMessage, DeliveryMessageSchema } from '../domain/webhooks.js';
import { ValidationError } from '../errors.js';
import { logger } from '../log.js';
import { sqsBatchHandler } from './sqs-batch.js';

/**
 * The webhooks function's SQS consumer: each record is one delivery of one event to one subscription,
 * sent on its own, so an endpoint that is slow or failing holds back only its own messages.
 */
export function createWebhookConsumer(
  deliver: (message: DeliveryMessage) => Promise<void>,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const parsed = DeliveryMessageSchema.safeParse(
      (() => {
        try {
          return JSON.parse(record.body);
        } catch {
          return undefined;
        }
      })(),
    );
    if (!parsed.success) {
      logger.error('record is not a webhook delivery', { messageId: record.messageId });
      throw new ValidationError(`record ${record.messageId} is not a webhook delivery`);
    }
    await deliver(parsed.data);
  };
  return sqsBatchHandler(recordHandler);
}
