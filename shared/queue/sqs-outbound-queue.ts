import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OutboundMessage } from '../domain/outbound.js';
import type { OutboundQueue } from '../domain/reply-ports.js';
import { UnavailableError } from '../errors.js';

/** The outbound queue on SQS: one message per reply, the sender's input. */
export class SqsOutboundQueue implements OutboundQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async enqueue(message: OutboundMessage): Promise<void> {
    try {
      await this.#client.send(
        new SendMessageCommand({
          QueueUrl: this.#queueUrl,
          MessageBody: JSON.stringify(message),
          MessageAttributes: { channel: { DataType: 'String', StringValue: message.channel } },
        }),
      );
    } catch (error) {
      throw new UnavailableError('SQS SendMessage failed; the reply is stored and can be retried', {
        cause: error,
      });
    }
  }
}
