import { sqsSendMessageBatch } from '../aws/sqs-lite.js';
import type { EnvelopeQueue } from '../domain/ports.js';
import { SqsEnvelopeQueue } from '../queue/sqs-envelope-queue.js';

/** The inbound queue on SQS, through the SDK-free client: no SDK in the bundles that enqueue envelopes. */
export function sqsEnvelopeQueue(queueUrl: string): EnvelopeQueue {
  return new SqsEnvelopeQueue((input) => sqsSendMessageBatch(input), queueUrl);
}
