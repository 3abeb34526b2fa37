import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PermanentError, ThreadlineError } from '../errors.js';

/**
 * An SQS consumer over one record handler: each record is handled on its own, and the ones that throw
 * are reported as the batch's failures (partial batch response), so they alone are redelivered, then
 * dead-lettered, without holding back the rest of their batch.
 */
export function sqsBatchHandler(
  recordHandler: (record: SQSRecord) => Promise<void>,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  // A processor per call: it keeps the batch's failures, so sharing one mixes concurrent batches up.
  return (event) =>
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
}

/**
 * What a failed record's log line says of the error: its name, our code, and whether it is permanent
 * (retrying fails the same way: alarms and operators read the dead-letter queue for it), never its message.
 */
export function errorFields(error: unknown): { error: string; code: string | undefined; permanent: boolean } {
  return {
    error: error instanceof Error ? error.name : 'unknown',
    code: error instanceof ThreadlineError ? error.code : undefined,
    permanent: error instanceof PermanentError,
  };
}
