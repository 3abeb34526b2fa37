import type { Channel } from '../domain/envelope.js';
import type { ChannelSender, OutboundMessage } from '../domain/outbound.js';
import type { Clock } from '../domain/ports.js';
import { PermanentSendError } from '../domain/send-errors.js';
import type { SenderStore } from '../domain/sender-ports.js';
import { loggedId, logger } from '../log.js';

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

/** Ids only: the reply's text and address are customers' personal data. */
type LogFields = { replyId: string; customerId: string; channel: Channel };

/** A failed send: permanent or out of attempts, it is recorded `failed`; else it is retried (rethrown). */
async function handleFailure(
  deps: SenderDeps,
  message: OutboundMessage,
  error: unknown,
  attempts: number,
  fields: LogFields,
): Promise<void> {
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

/**
 * Delivers one reply with one provider call. A reply already sent (a redelivery) is skipped; a
 * permanent refusal marks it `failed` with the provider's reason; throttling and 5xx throw so the
 * queue retries it, and the last attempt (`receiveCount` reaching `maxAttempts`) marks it `failed`.
 */
export async function deliverReply(
  deps: SenderDeps,
  message: OutboundMessage,
  receiveCount: number,
): Promise<void> {
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
    logger.info('reply sent', { ...fields, providerMessageId: loggedId(result.providerMessageId) });
  } catch (error) {
    await handleFailure(deps, message, error, receiveCount, fields);
  }
}
