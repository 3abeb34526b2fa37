import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PermanentError, ThreadlineError, ValidationError } from '../errors.js';
import { logger } from '../log.js';

/** Why a record failed, as its log line and its dead-letter message attributes say it: never its message. */
export interface FailureReason {
  error: string;
  code: string | undefined;
  permanent: boolean;
}

/**
 * Puts a record that failed permanently on the consumer's dead-letter queue at once, with the reason;
 * rejects if it could not (the record then fails as any other and SQS dead-letters it after its
 * receives).
 */
export type DeadLetter = (record: SQSRecord, reason: FailureReason) => Promise<void>;

/**
 * An SQS consumer over one record handler: each record is handled on its own, and the ones that throw
 * are reported as the batch's failures (partial batch response), so they alone are redelivered, then
 * dead-lettered, without holding back the rest of their batch. With `deadLetter`, a record that failed
 * permanently goes to the dead-letter queue at once and is reported handled: retrying would fail the
 * same way, four more times, before SQS moved it there.
 */
export function sqsBatchHandler(
  recordHandler: (record: SQSRecord) => Promise<void>,
  options: { deadLetter?: DeadLetter | undefined } = {},
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const { deadLetter } = options;
  const handle = deadLetter
    ? async (record: SQSRecord) => {
        try {
          await recordHandler(record);
        } catch (error) {
          await deadLetterPermanent(deadLetter, record, error);
        }
      }
    : recordHandler;
  return (event) => partialResponse(event, handle);
}

/**
 * Handles every record of the batch at once and reports those that threw as its failures (SQS's
 * partial batch response; a whole batch failed is reported so too, not thrown), as Powertools'
 * `processPartialResponse` with a `BatchProcessor` did: that package was bundled for these few lines.
 */
async function partialResponse(
  event: SQSEvent,
  handle: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> {
  if (!Array.isArray(event?.Records)) throw new TypeError('an SQS event has a Records array');
  const settled = await Promise.allSettled(event.Records.map(async (record) => handle(record)));
  const failed = event.Records.filter((_, i) => settled[i]?.status === 'rejected');
  return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
}

/** Dead-letters a permanent failure (and logs why); rethrows anything else, or when that fails. */
async function deadLetterPermanent(deadLetter: DeadLetter, record: SQSRecord, error: unknown): Promise<void> {
  const reason = errorFields(error);
  if (!reason.permanent) throw error;
  const fields = {
    messageId: record.messageId,
    receiveCount: record.attributes.ApproximateReceiveCount,
    queue: record.eventSourceARN,
    ...reason,
  };
  try {
    await deadLetter(record, reason);
  } catch (sendError) {
    logger.error('permanent failure could not be dead-lettered at once; SQS will after its receives', {
      ...fields,
      deadLetterError: sendError instanceof Error ? sendError.name : 'unknown',
    });
    throw error;
  }
  logger.error('record failed permanently: moved to the dead-letter queue at once', fields);
}

/** A system error's code (`ECONNRESET`, `ERR_STREAM_PREMATURE_CLOSE`): a constant, never data. */
const SYSTEM_CODE = /^E[A-Z0-9_]{1,47}$/;

/** Our code, or a Node system error's (a plain `Error` otherwise logs only as `Error`). */
function codeOf(error: unknown): string | undefined {
  if (error instanceof ThreadlineError) return error.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && SYSTEM_CODE.test(code) ? code : undefined;
}

/**
 * What a failed record's log line says of the error: its name, our code (or a system error's), and
 * whether it is permanent (retrying fails the same way: a dependency's refusal, or input that can
 * never be valid), never its message (it may quote what a customer wrote).
 */
export function errorFields(error: unknown): FailureReason {
  return {
    error: error instanceof Error ? error.name : 'unknown',
    code: codeOf(error),
    permanent: error instanceof PermanentError || error instanceof ValidationError,
  };
}
