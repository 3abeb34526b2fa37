import { sqsSendMessageBatch } from '../aws/sqs-lite.js';
import type { DeadLetter } from '../queue/sqs-batch.js';
import { sqsDeadLetter } from '../queue/sqs-dead-letter.js';

/** A consumer's dead-letter queue on AWS, when the stack gave its URL (the signed HTTPS call, no SDK). */
export function lambdaDeadLetter(queueUrl: string | undefined): DeadLetter | undefined {
  return queueUrl ? sqsDeadLetter((input) => sqsSendMessageBatch(input), queueUrl) : undefined;
}
