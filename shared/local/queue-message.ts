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
});
export type StoredMessage = z.infer<typeof StoredMessageSchema>;

/** A message of a local queue, with what SQS keeps of it in memory. */
export interface Message extends StoredMessage {
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Epoch ms from which the message may be received; in the future while it is in flight or delayed. */
  visibleAt: number;
  receiptHandle?: string;
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
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body, 'utf8').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: 'local',
  };
}
