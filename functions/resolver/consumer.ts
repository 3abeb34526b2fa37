import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EnvelopeSchema } from '#shared/domain/envelope.js';
import { applyEnvelope, type ResolverDeps } from '#shared/domain/resolver.js';
import { ThreadlineError, ValidationError } from '#shared/errors.js';
import { logger } from '#shared/log.js';

/**
 * The resolver's SQS consumer: each record is one envelope, applied on its own so one bad record
 * fails alone (partial batch response) and is redelivered, then dead-lettered, without holding back
 * the rest of its batch.
 */
export function createResolverConsumer(deps: ResolverDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch (error) {
      throw new ValidationError(`record ${record.messageId} is not JSON`, { cause: error });
    }
    const parsed = EnvelopeSchema.safeParse(body);
    if (!parsed.success) {
      logger.error('record is not an envelope', { messageId: record.messageId });
      throw new ValidationError(`record ${record.messageId} is not an envelope`, { cause: parsed.error });
    }
    try {
      await applyEnvelope(deps, parsed.data);
    } catch (error) {
      // Ids and error names only: the record body is customer data.
      logger.warn('envelope failed, will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        envelopeId: parsed.data.id,
        channel: parsed.data.channel,
        error: error instanceof Error ? error.name : 'unknown',
        code: error instanceof ThreadlineError ? error.code : undefined,
      });
      throw error;
    }
  };
  // A processor per call: it keeps the batch's failures, so sharing one mixes concurrent batches up.
  return (event) =>
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
}
