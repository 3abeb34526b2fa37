import type { MailNotification, MailQueue } from '#shared/channels/ses/mail.js';
import { mailEntries } from '#shared/queue/sqs-mail-queue.js';
import { sendBodies } from './local-envelope-queue.js';
import type { LocalQueue } from './queue.js';

/** The MailQueue of the local runtime: the bodies SqsMailQueue sends, on a durable LocalQueue. */
export class LocalMailQueue implements MailQueue {
  readonly #queue: LocalQueue;

  constructor(queue: LocalQueue) {
    this.#queue = queue;
  }

  async enqueue(notifications: readonly MailNotification[]): Promise<void> {
    if (notifications.length === 0) return;
    await sendBodies(
      this.#queue,
      mailEntries(notifications).map((entry) => entry.MessageBody),
      'notifications',
    );
  }
}
