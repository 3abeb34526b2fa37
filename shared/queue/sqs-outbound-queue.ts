import type { OutboundMessage } from '../domain/outbound.js';
import type { OutboundQueue } from '../domain/reply-ports.js';
import { UnavailableError } from '../errors.js';

/**
 * SQS SendMessage, as the queues call it: the lite client (`sqsSendMessage`, shared/aws/sqs-lite.ts)
 * on Lambda, or any function of the same shape.
 */
export type SendMessage = (input: {
  QueueUrl: string;
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, { DataType: 'String'; StringValue: string }>;
}) => Promise<unknown>;

/** The outbound queue on SQS: one message per reply, the sender's input, delayed by at most 15 minutes. */
export class SqsOutboundQueue implements OutboundQueue {
  readonly #send: SendMessage;
  readonly #queueUrl: string;

  constructor(send: SendMessage, queueUrl: string) {
    this.#send = send;
    this.#queueUrl = queueUrl;
  }

  async enqueue(
    message: OutboundMessage,
    options: { delaySeconds?: number | undefined } = {},
  ): Promise<void> {
    const delaySeconds = Math.max(0, Math.min(900, Math.round(options.delaySeconds ?? 0)));
    try {
      await this.#send({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify(message),
        ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}),
        MessageAttributes: { channel: { DataType: 'String', StringValue: message.channel } },
      });
    } catch (error) {
      throw new UnavailableError('SQS SendMessage failed; the reply is stored and can be retried', {
        cause: error,
      });
    }
  }
}
