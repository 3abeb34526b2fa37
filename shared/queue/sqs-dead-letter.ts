import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { UnavailableError } from '../errors.js';
import type { DeadLetter, FailureReason } from './sqs-batch.js';
import type { SendMessageBatch } from './sqs-envelope-queue.js';

/**
 * The message attributes a record carries to the dead-letter queue: why it failed, where from, after
 * how many receives. Ids and codes only, as in the log line.
 */
export function deadLetterAttributes(
  record: SQSRecord,
  reason: FailureReason,
): Record<string, MessageAttributeValue> {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    failureError: text(reason.error),
    ...(reason.code ? { failureCode: text(reason.code) } : {}),
    sourceQueueArn: text(record.eventSourceARN),
    sourceMessageId: text(record.messageId),
    receiveCount: { DataType: 'Number', StringValue: record.attributes.ApproximateReceiveCount },
  };
}

/** A consumer's dead-letter queue on SQS: the record's body as it was, the reason in its attributes. */
export function sqsDeadLetter(send: SendMessageBatch, queueUrl: string): DeadLetter {
  return async (record, reason) => {
    const out = await send({
      QueueUrl: queueUrl,
      Entries: [
        { Id: '0', MessageBody: record.body, MessageAttributes: deadLetterAttributes(record, reason) },
      ],
    });
    if (!out.Successful?.length) {
      throw new UnavailableError(`SQS refused the dead letter (${out.Failed?.[0]?.Code ?? 'no answer'})`);
    }
  };
}
