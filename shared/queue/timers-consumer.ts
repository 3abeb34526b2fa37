import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type Timer, TimerSchema } from '../domain/timer-ports.js';
import { ValidationError } from '../errors.js';
import { logger } from '../log.js';
import { errorFields, sqsBatchHandler } from './sqs-batch.js';

/** The timer a record carries; a record that is not one fails (and is dead-lettered after its receives). */
function readTimer(record: SQSRecord): Timer {
  let parsed: ReturnType<typeof TimerSchema.safeParse> | undefined;
  try {
    parsed = TimerSchema.safeParse(JSON.parse(record.body));
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) return parsed.data;
  logger.error('record is not a timer', { messageId: record.messageId });
  throw new ValidationError(`record ${record.messageId} is not a timer`, { cause: parsed?.error });
}

/**
 * The timers function's SQS consumer: each record is one timer (put there by EventBridge Scheduler,
 * or delayed on the queue), fired on its own so one failure is redelivered, then dead-lettered,
 * without holding back the rest of its batch.
 */
export function createTimersConsumer(
  fire: (timer: Timer) => Promise<unknown>,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const timer = readTimer(record);
    try {
      await fire(timer);
    } catch (error) {
      logger.warn('timer failed, will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        timerKind: timer.kind,
        conversationId: timer.subject,
        ...errorFields(error),
      });
      throw error;
    }
  };
  return sqsBatchHandler(recordHandler);
}
