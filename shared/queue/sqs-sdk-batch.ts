import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SendMessageBatch } from './sqs-envelope-queue.js';

/**
 * SendMessageBatch through the AWS SDK client, for code that has the SDK in its bundle anyway (tests
 * mock it with aws-sdk-client-mock). The SDK retries throttling itself, so its errors are final here.
 */
export function sdkSendMessageBatch(client: SQSClient): SendMessageBatch {
  return (input) => client.send(new SendMessageBatchCommand(input));
}
