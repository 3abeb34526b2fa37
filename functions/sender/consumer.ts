import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Channel } from '#shared/domain/envelope.js';
import {
  type ChannelSender,
  type OutboundMessage,
  OutboundMessageSchema,
  PermanentSendError,
  type SendResult,
} from '#shared/domain/outbound.js';
import type { Clock } from '#shared/domain/ports.js';
import { ValidationError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import { sqsBatchHandler } from '#shared/queue/sqs-batch.js';

/** What the sender needs from storage. */
export interface SenderStore {
  claimSend(message: OutboundMessage, now: Date, leaseMs: number): Promise<'claimed' | 'sent' | 'busy'>;
  recordSent(message: OutboundMessage, result: SendResult, at: string): Promise<void>;
  recordSendFailure(
    message: OutboundMessage,
    reason: { code: string; message: string },
    at: string,
  ): Promise<void>;
}

/** What the sender needs. */
export interface SenderDeps {
  store: SenderStore;
  senders: Partial<Record<Channel, ChannelSender>>;
  clock: Clock;
  /** How long one attempt may hold a reply; at least the function's timeout. */
  leaseMs: number;
  /** After this many receives a retryable failure is given up as `failed` (the queue's maxReceiveCount). */
  maxAttempts: number;
}

/**
 * The sender's SQS consumer: one provider call per reply. A reply already sent (a redelivery) is
 * skipped; a permanent refusal marks it `failed` with the provider's reason; throttling and 5xx fail
 * the record so the queue retries it, and the last attempt marks it `failed` before the dead-letter queue.
 */
export function createSenderConsumer(deps: SenderDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let parsed: OutboundMessage;
    try {
      parsed = OutboundMessageSchema.parse(JSON.parse(record.body));
    } catch (error) {
      logger.error('record is not an outbound message', { messageId: record.messageId });
      throw new ValidationError(`record ${record.messageId} is not an outbound message`, { cause: error });
    }
    const message = parsed;
    const fields = { replyId: message.id, customerId: message.customerId, channel: message.channel };
    const claim = await deps.store.claimSend(message, deps.clock.now(), deps.leaseMs);
    if (claim === 'sent') {
      logger.info('reply already sent, redelivery skipped', fields);
      return;
    }
    if (claim === 'busy') throw new Error(`reply ${message.id} is being sent by another attempt`);
    const sender = deps.senders[message.channel];
    if (!sender) {
      await deps.store.recordSendFailure(
        message,
        { code: 'channel_not_configured', message: `no credentials for ${message.channel} are configured` },
        deps.clock.now().toISOString(),
      );
      logger.warn('reply failed: channel not configured', fields);
      return;
    }
    try {
      const result = await sender.send(message);
      await deps.store.recordSent(message, result, deps.clock.now().toISOString());
      logger.info('reply sent', { ...fields, providerMessageId: result.providerMessageId });
    } catch (error) {
      const attempts = Number(record.attributes.ApproximateReceiveCount);
      const permanent = error instanceof PermanentSendError;
      if (permanent || attempts >= deps.maxAttempts) {
        await deps.store.recordSendFailure(
          message,
          {
            code: permanent ? (error.providerCode ?? error.code) : 'gave_up',
            message: permanent ? error.message : `no answer from the provider after ${attempts} attempts`,
          },
          deps.clock.now().toISOString(),
        );
        logger.warn('reply failed', { ...fields, permanent, attempts, error: (error as Error).name });
        if (permanent) return;
      } else {
        logger.warn('reply will be retried', { ...fields, attempts, error: (error as Error).name });
      }
      throw error;
    }
  };
  return sqsBatchHandler(recordHandler);
}
