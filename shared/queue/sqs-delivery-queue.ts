import type { DeliveryQueue } from '../domain/webhook-ports.js';
import type { DeliveryMessage } from '../domain/webhooks.js';
import { UnavailableError } from '../errors.js';
import type { SendMessage } from './sqs-outbound-queue.js';

/** The webhook delivery queue on SQS: one message per delivery, delayed by at most 15 minutes. */
export class SqsDeliveryQueue implements DeliveryQueue {
  readonly #send: SendMessage;
  readonly #queueUrl: string;

  constructor(send: SendMessage, queueUrl: string) {
    this.#send = send;
    this.#queueUrl = queueUrl;
  }

  async send(message: DeliveryMessage, delaySeconds: number): Promise<void> {
    try {
      await this.#send({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
      });
    } catch (error) {
      throw new UnavailableError('SQS SendMessage failed for a webhook delivery', { cause: error });
    }
  }
}
