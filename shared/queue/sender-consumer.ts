import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type OutboundMessage, OutboundMessageSchema } from '../domain/outbound.js';
import { ValidationError } from '../errors.js';
import { logger } from '../log.js';
import { type DeadLetter, sqsBatchHandler } from './sqs-batch.js';

/**
 * The sender's SQS consumer: each record is one reply, delivered on its own (`deliverReply` bound to
 * its dependencies, told how often the queue has delivered it) so a reply to retry fails alone; with
 * `deadLetter`, one that failed permanently is dead-lettered at once.
 */
export function createSenderConsumer(
  deliver: (message: OutboundMessage, receiveCount: number) => Promise<void>,
  options: { deadLetter?: DeadLetter | undefined } = {},
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let message: OutboundMessage;
    try {
      message = OutboundMessageSchema.parse(JSON.parse(record.body));
    } catch (error) {
      logger.error('record is not an outbound message', { messageId: record.messageId });
      throw new ValidationError(`record ${record.messageId} is not an outbound message`, { cause: error });
    }
    await deliver(message, Number(record.attributes.ApproximateReceiveCount));
  };
  return sqsBatchHandler(recordHandler, options);
}
