import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type Envelope, EnvelopeParser } from '../domain/envelope.js';
import type { Receipt } from '../domain/router-ports.js';
import { ValidationError } from '../errors.js';
import { loggedId, logger } from '../log.js';
import { type DeadLetter, errorFields, sqsBatchHandler } from './sqs-batch.js';

/**
 * The resolver's SQS consumer: each record is one envelope, received on its own (`receiveEnvelope`
 * bound to its dependencies) so one bad record fails alone (partial batch response) and is
 * redelivered, then dead-lettered, without holding back the rest of its batch; with `deadLetter`, one
 * that failed permanently (not an envelope, a write DynamoDB refuses) is dead-lettered at once. Each
 * envelope is received with its record's receipt (`Receipt`: its first receive or a retry).
 */
export function createResolverConsumer(
  receive: (envelope: Envelope, receipt: Receipt) => Promise<unknown>,
  options: { deadLetter?: DeadLetter | undefined } = {},
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch (error) {
      throw new ValidationError(`record ${record.messageId} is not JSON`, { cause: error });
    }
    const parsed = EnvelopeParser.safeParse(body);
    if (!parsed.success) {
      logger.error('record is not an envelope', { messageId: record.messageId });
      throw new ValidationError(`record ${record.messageId} is not an envelope`, { cause: parsed.error });
    }
    try {
      await receive(parsed.data, { receiveCount: Number(record.attributes.ApproximateReceiveCount) });
    } catch (error) {
      // Ids and error names only: the record body is customer data.
      const fields = {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        envelopeId: loggedId(parsed.data.id),
        channel: parsed.data.channel,
        ...errorFields(error),
      };
      // A permanent failure goes to the dead-letter queue (at once when the consumer has its URL),
      // where the redrive finds it once fixed. Its log line says so from the first try.
      if (fields.permanent) {
        logger.error(
          'envelope failed permanently, retrying will not help: see the dead-letter queue',
          fields,
        );
      } else logger.warn('envelope failed, will be retried', fields);
      throw error;
    }
  };
  return sqsBatchHandler(recordHandler, options);
}
