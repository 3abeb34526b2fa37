import type { MailNotification, MailQueue } from '#shared/channels/ses/mail.js';
import { PayloadTooLargeError } from '#shared/errors.js';
import {
  type EnvelopeEntry,
  entryBytes,
  type SendMessageBatch,
  SQS_MAX_MESSAGE_BYTES,
  SqsBatchSender,
  type SqsEnvelopeQueueOptions,
} from './sqs-envelope-queue.js';

/** The SendMessageBatch entries of mail notifications: one message each, the notification's JSON. */
export function mailEntries(notifications: readonly MailNotification[]): EnvelopeEntry[] {
  return notifications.map((notification, index) => {
    const entry: EnvelopeEntry = { Id: String(index), MessageBody: JSON.stringify(notification) };
    const bytes = entryBytes(entry);
    if (bytes > SQS_MAX_MESSAGE_BYTES) {
      throw new PayloadTooLargeError(
        `mail notification ${index} is ${bytes} bytes as an SQS message; SQS accepts at most ${SQS_MAX_MESSAGE_BYTES}`,
      );
    }
    return entry;
  });
}

/** The MailQueue on Amazon SQS; resolves only once SQS has accepted every notification. */
export class SqsMailQueue implements MailQueue {
  readonly #sender: SqsBatchSender;

  constructor(send: SendMessageBatch, queueUrl: string, options: SqsEnvelopeQueueOptions = {}) {
    this.#sender = new SqsBatchSender(send, queueUrl, options);
  }

  async enqueue(notifications: readonly MailNotification[]): Promise<void> {
    await this.#sender.sendAll(mailEntries(notifications));
  }
}
