import { createHash } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';

/** What a local queue's message file holds; receive counts and visibility live in memory only. */
export const StoredMessageSchema = z.object({
  messageId: z.uuid(),
  body: z.string(),
  sentTimestamp: z.number(),
  deadLetterSourceArn: z.string().optional(),
  /** Epoch ms its DelaySeconds ends: until then it is delayed, as on SQS (kept across a restart). */
  delayedUntil: z.number().optional(),
  /**
   * Its string message attributes, as SQS keeps them: a permanent failure's reason on a dead letter
   * (`failureError`, `failureCode`, `sourceQueueArn`, `sourceMessageId`, `receiveCount`).
   */
  attributes: z.record(z.string(), z.string()).optional(),
});
export type StoredMessage = z.infer<typeof StoredMessageSchema>;

/** A message of a local queue, with what SQS keeps of it in memory. */
export interface Message extends StoredMessage {
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Epoch ms from which the message may be received; in the future while it is in flight or delayed. */
  visibleAt: number;
  receiptHandle?: string;
  /** Reloaded after a restart, due then: the process before may have received it (receive counts are not on disk). */
  reloaded?: boolean;
}

/** A received message as Lambda's SQS event source hands it to a consumer (the attributes SQS sets). */
export function sqsRecord(message: Message, arn: string): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle ?? '',
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentTimestamp),
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
      ...(message.deadLetterSourceArn ? { DeadLetterQueueSourceArn: message.deadLetterSourceArn } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.attributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: createHash('md5').update(message.body, 'utf8').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: 'local',
  };
}

/** A queue's messages by id, counting those of each body, so whether one is queued needs no scan. */
export class Messages extends Map<string, Message> {
  readonly #bodies = new Map<string, number>();

  override set(messageId: string, message: Message): this {
    this.#count(this.get(messageId)?.body, -1);
    this.#count(message.body, 1);
    return super.set(messageId, message);
  }

  override delete(messageId: string): boolean {
    this.#count(this.get(messageId)?.body, -1);
    return super.delete(messageId);
  }

  /** Whether a message with this body is here. */
  holds(body: string): boolean {
    return this.#bodies.has(body);
  }

  #count(body: string | undefined, by: 1 | -1): void {
    if (body === undefined) return;
    const count = (this.#bodies.get(body) ?? 0) + by;
    if (count > 0) this.#bodies.set(body, count);
    else this.#bodies.delete(body);
  }
}
