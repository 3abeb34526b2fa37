import type { TrackClock } from '../domain/clock-ports.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender, OutboundMessage } from '../domain/outbound.js';
import type { Clock } from '../domain/ports.js';
import type { HeldSend } from '../domain/reply-ports.js';
import {
  CREDENTIALS_REFUSED,
  CredentialsRefusedError,
  GAVE_UP_CODE,
  PermanentSendError,
} from '../domain/send-errors.js';
import type { SenderStore } from '../domain/sender-ports.js';
import { TWILIO_UNSUBSCRIBED } from '../domain/sms-opt-out.js';
import {
  answeredAt,
  answersCustomer,
  clockAuthorOf,
  lateFailureWaitOf,
  repliedAt,
  unansweredBy,
} from '../domain/waiting.js';
import { errorFields, loggedId, logger } from '../log.js';
import { recordUnsubscribedSend } from './record-unsubscribed.js';
import { makeOwedHandOff, owedAfterRefusal, type UndeliveredAnswerHandOff } from './undelivered-answer.js';
import { SMS_REFUSED_REASON, smsOnly } from './unreachable-customer.js';
import { waitAgainAfterFailure } from './wait-after-routing.js';

/** The provider adapters by channel. */
type Senders = Partial<Record<Channel, ChannelSender>>;

/** What the sender needs. */
export interface SenderDeps {
  store: SenderStore;
  /** The provider adapters, or how to build them on first use (the resolver, which seldom sends). */
  senders: Senders | (() => Promise<Senders>);
  clock: Clock;
  /** How long one attempt may hold a reply; at least the function's timeout. */
  leaseMs: number;
  /** After this many receives a retryable failure is given up as `failed` (the queue's maxReceiveCount). */
  maxAttempts: number;
  /** Tells the conversation clock (SLA, silence) of an answer that never reached the customer. */
  track?: TrackClock | undefined;
  /** Hands a person the conversation whose AI answer the provider took, then reported failed. */
  undelivered?: UndeliveredAnswerHandOff | undefined;
}

/** Ids only: the reply's text and address are customers' personal data. */
type LogFields = { replyId: string; customerId: string; channel: Channel };

/**
 * Marks a reply `failed` for good, then what follows (`afterRefusal`).
 */
async function recordFailure(
  deps: SenderDeps,
  message: OutboundMessage,
  reason: { code: string; message: string },
  gaveUp?: boolean,
): Promise<void> {
  await deps.store.recordSendFailure(message, reason, deps.clock.now().toISOString(), gaveUp);
  await afterRefusal(deps, message, reason.code);
}

/**
 * Whether Twilio refused the AI's SMS answer for a STOP (`21610`) and SMS is the only channel a reply
 * to the customer could take (`smsOnly`, over their merged profiles: one read, on that refusal only).
 */
async function refusedEverywhere(deps: SenderDeps, message: OutboundMessage, code: string | undefined) {
  if (code !== TWILIO_UNSUBSCRIBED || message.channel !== 'sms' || !deps.store.mergedCustomers) return false;
  const { partitions, customers } = await deps.store.mergedCustomers(message.customerId);
  const root = customers.find((c) => c.id === (partitions[0] ?? message.customerId));
  return root !== undefined && smsOnly(root, customers);
}

/**
 * What follows a reply failed for good: an AI answer that never went out leaves its message
 * unanswered, so the customer waits again from it, and, as for an answer refused up front, a person is
 * handed the conversation (`undelivered`, `code` the provider's reason): the wait's write records the
 * hand-off it owes (`OwedHandOff`), marked made once made; a wait that never ended (its message's, still
 * running at the send: a reopen's) does not come back, and a write of its own records the hand-off owed
 * (`owedAfterRefusal`). An answer (the AI's or an agent's) counted as
 * one when it was stored is taken back: the first response it was, if it was (the next answer is), and
 * the clock's answer (`unanswered`, as for a `failed` status: the target it met starts again, its
 * silence ends). Run again by a redelivery that finds the reply refused (a sender that died after its
 * record, or routing's redelivery after an inline send that died: `settleRefusal`), each step once: the
 * hand-off is made only while owed. The AI's SMS refused for a STOP (Twilio's 21610, its opt-out
 * recorded before) from a customer reachable on no other channel is as a STOP while a question waits:
 * no hand-off, a note saying why (keyed on the answer), the clock hears `unreachable` after `unanswered`
 * (the target stops with no breach, the silence counts from the answer), and the wait, back for the
 * first response's take-back, goes last (so a redelivery after a crash completes the rest).
 */
async function afterRefusal(deps: SenderDeps, message: OutboundMessage, code: string | undefined) {
  if (!answersCustomer(message.author)) return;
  const { conversationId } = message;
  const unanswered = unansweredBy(message);
  const wait = lateFailureWaitOf(message);
  const to = wait?.byAi ? deps.undelivered : undefined;
  const answered = answeredAt(message);
  if (to && wait && (await refusedEverywhere(deps, message, code))) {
    // The wait back first, as for any refusal (the take-back's condition reads it), then gone last.
    if (unanswered) await deps.store.startWaiting?.(conversationId, unanswered, answered);
    await deps.store.takeBackFirstResponse?.(conversationId, message.at);
    await to(wait, code, repliedAt(message), true);
    await deps.track?.({ type: 'unanswered', conversationId, at: repliedAt(message) });
    await deps.track?.({ type: 'unreachable', conversationId, at: repliedAt(message) });
    // A wait its message's arrival started (a reopen) and the answer never ended: nobody can answer it.
    if (unanswered) await deps.store.dropUnreachableWait?.(conversationId, unanswered);
    return;
  }
  const owes = to && unanswered ? { answer: message.at, at: deps.clock.now().toISOString() } : undefined;
  // The AI's first response recorded its answer before the send (`recordFirstResponse`): undone here.
  const waits =
    unanswered && (await deps.store.startWaiting?.(conversationId, unanswered, answered, undefined, owes));
  // No wait came back when it never ended (its message's, still running): the hand-off is owed all the same.
  const owed = wait && (await owedAfterRefusal(deps.store, wait, waits === true, owes));
  await deps.store.takeBackFirstResponse?.(conversationId, message.at);
  const reason = code === TWILIO_UNSUBSCRIBED && message.channel === 'sms' ? SMS_REFUSED_REASON : code;
  if (to && wait && owed) await makeOwedHandOff(deps.store, to, wait, reason, owed);
  await deps.track?.({ type: 'unanswered', conversationId, at: repliedAt(message) });
}

/**
 * The AI's answer sent inline and refused for good, found so by routing's redelivery of its message
 * (the invocation died after recording the refusal): what follows it is completed, each step once.
 */
export function settleRefusal(deps: SenderDeps, message: OutboundMessage, code: string | undefined) {
  return afterRefusal(deps, message, code);
}

/**
 * A failed send: permanent or out of attempts, it is recorded `failed`; else it is retried (rethrown),
 * after `letGo` (a held lease released, so the retry need not wait it out). Out of attempts it is
 * rethrown too, to the dead-letter queue, recorded as given up: a redrive of it sends it again. Our
 * credentials refused (CredentialsRefusedError) are retried so, and logged `channel credentials refused`
 * (an alarm counts them); given up, the reason tells agents to tell an admin.
 */
async function handleFailure(
  deps: SenderDeps,
  message: OutboundMessage,
  error: unknown,
  attempts: number,
  fields: LogFields,
  letGo: (() => Promise<void>) | undefined,
): Promise<void> {
  const permanent = error instanceof PermanentSendError;
  const credentials = error instanceof CredentialsRefusedError;
  // No secret in it: the provider's code and our own words (the senders keep tokens out of messages).
  if (credentials)
    logger.error(CREDENTIALS_REFUSED, { ...fields, providerCode: error.providerCode, attempts });
  if (permanent || attempts >= deps.maxAttempts) {
    // Refused as sent to someone who texted STOP: their number is opted out before the failure is kept.
    if (permanent && (await recordUnsubscribedSend(deps.store, message, error.providerCode)))
      logger.info('reply refused: the customer opted out of SMS', fields);
    const reason = {
      code: permanent ? (error.providerCode ?? error.code) : GAVE_UP_CODE,
      message: permanent
        ? error.message
        : credentials
          ? `${CREDENTIALS_REFUSED}: tell an admin (${error.message})`
          : `no answer from the provider after ${attempts} attempts`,
    };
    await recordFailure(deps, message, reason, !permanent);
    logger.warn('reply failed', { ...fields, permanent, attempts, ...errorFields(error) });
    if (permanent) return;
  } else {
    logger.warn('reply will be retried', { ...fields, attempts, ...errorFields(error) });
    await letGo?.();
  }
  throw error;
}

/**
 * The provider took the reply and its status recorded the provider id, but the sender died before its
 * own record: what that sender had left to do after the provider call is done now, with no second
 * send (the conversation's wait ended, the send recorded with its reference).
 */
async function settleUnrecorded(
  deps: SenderDeps,
  message: OutboundMessage,
  providerMessageId: string,
  fields: LogFields,
): Promise<void> {
  if (answersCustomer(message.author))
    await deps.store.markAnswered?.(message.conversationId, answeredAt(message));
  const failedFirst = await deps.store.recordSent(
    message,
    { providerMessageId },
    deps.clock.now().toISOString(),
  );
  logger.info('reply sent before its sender died: recorded, not sent again', {
    ...fields,
    providerMessageId: loggedId(providerMessageId),
  });
  if (failedFirst) await waitAgainAfterLateFailure(deps, message);
}

/**
 * The provider took the reply and reported it failed (before the send was recorded, or a sender that
 * recorded it died before what follows): its wait comes back, and the AI's answer goes to a person
 * (`waitAgainAfterFailure`, each step once however often it runs). The provider's reason is on the
 * reply's item; the note names the channel only.
 */
function waitAgainAfterLateFailure(deps: SenderDeps, message: OutboundMessage): Promise<void> {
  const handOff = { to: deps.undelivered, reason: undefined };
  return waitAgainAfterFailure(deps.store, lateFailureWaitOf(message), deps.clock, deps.track, handOff);
}

/**
 * Claims the reply for this attempt: false when there is nothing to send, `retry` when it was given up
 * on after retries before (a redrive); throws while another holds it.
 */
async function claim(
  deps: SenderDeps,
  message: OutboundMessage,
  fields: LogFields,
): Promise<'claimed' | 'retry' | false | { movedTo: string; conversationId?: string }> {
  const claimed = await deps.store.claimSend(message, deps.clock.now(), deps.leaseMs);
  if (typeof claimed === 'object' && 'movedTo' in claimed) {
    // Given up on while merged, then moved back by an unmerge to the customer its address is of.
    logger.info('reply moved to another customer by an unmerge: sent as theirs', {
      ...fields,
      movedTo: claimed.movedTo,
      conversationId: claimed.conversationId,
    });
    return claimed;
  }
  if (claimed === 'sent') {
    logger.info('reply already sent, redelivery skipped', fields);
    return false;
  }
  if (typeof claimed === 'object' && 'refused' in claimed) {
    // A redelivery after a crash past the refusal's record: what followed it is completed.
    await afterRefusal(deps, message, claimed.refused);
    logger.info('reply refused already, redelivery skipped', { ...fields, code: claimed.refused });
    return false;
  }
  if (claimed === 'failed') {
    // A redelivery after a crash past the send's record: what followed the failure is completed.
    await waitAgainAfterLateFailure(deps, message);
    logger.info('reply sent and reported failed, redelivery skipped', fields);
    return false;
  }
  if (claimed === 'busy') {
    // Another attempt's lease, not a failure of this one: the queue brings it back after its visibility.
    logger.info('reply being sent by another attempt, retried after its lease', fields);
    throw new Error(`reply ${message.id} is being sent by another attempt`);
  }
  if (claimed === 'retry') logger.info('reply given up on after retries: sent again (a redrive)', fields);
  if (claimed === 'claimed' || claimed === 'retry') return claimed;
  await settleUnrecorded(deps, message, claimed.unsettled, fields);
  return false;
}

/**
 * The clock hears again of a reply sent on a retry after its give-up (which told it `unanswered`):
 * answered at its own time, sent at `sentAt` (the silence auto-resolve counts starts then).
 */
function trackRetried(deps: SenderDeps, message: OutboundMessage, sentAt: string): Promise<void> | undefined {
  const { conversationId, author } = message;
  return deps.track?.({
    type: 'reply',
    conversationId,
    at: repliedAt(message),
    author: clockAuthorOf(author),
    sentAt,
  });
}

/** The configured senders, built on first use when `deps` says how; a held lease is let go if that fails. */
async function sendersOf(deps: SenderDeps, letGo: (() => Promise<void>) | undefined): Promise<Senders> {
  if (typeof deps.senders !== 'function') return deps.senders;
  try {
    return await deps.senders();
  } catch (error) {
    await letGo?.();
    throw error;
  }
}

/**
 * Delivers one reply with one provider call. A reply already sent (a redelivery) is skipped; a
 * permanent refusal marks it `failed` with the provider's reason; throttling and 5xx throw so the
 * queue retries it, and the last attempt (`receiveCount` reaching `maxAttempts`) marks it `failed`.
 * With `held`, the caller's own put claimed it (the resolver, sending the AI's reply it has just
 * stored; `receiveCount` 0): no claim is written, and a failure to be retried releases the lease
 * before it throws, so the sender that takes the reply from the queue can claim it at once.
 */
export async function deliverReply(
  deps: SenderDeps,
  message: OutboundMessage,
  receiveCount: number,
  held?: HeldSend,
): Promise<void> {
  const fields = { replyId: message.id, customerId: message.customerId, channel: message.channel };
  // Queued before an erasure began, taken after: nothing goes to the person, nothing of the send is
  // written (their timeline goes with the erasure). The resolver's own send is of a customer it just read.
  if (!held && (await deps.store.customerGone?.(message.customerId))) {
    logger.info('reply dropped: its customer is erased or being erased', fields);
    return;
  }
  const claimed = held ? 'claimed' : await claim(deps, message, fields);
  if (!claimed) return;
  // Its customer's partition holds it (it was found there): claimed there, or skipped as settled; its
  // answer ends the wait of their open conversation, not of the one it was written in (the other's now).
  if (typeof claimed === 'object') {
    const { movedTo: customerId, conversationId } = claimed;
    return deliverReply(
      deps,
      { ...message, customerId, ...(conversationId ? { conversationId } : {}) },
      receiveCount,
    );
  }
  const letGo = held ? () => deps.store.releaseSend(message, held.leaseUntil) : undefined;
  const sender = (await sendersOf(deps, letGo))[message.channel];
  if (!sender) {
    await recordFailure(deps, message, {
      code: 'channel_not_configured',
      message: `no credentials for ${message.channel} are configured`,
    });
    logger.warn('reply failed: channel not configured', fields);
    return;
  }
  let sent = false;
  // The provider reported it failed before the send was recorded (its webhook ran between the
  // provider's answer and these writes, and found no answer to undo).
  let failedFirst = false;
  // `sent` is when it was handed over: a status the provider reports during the call (the web chat's
  // `delivered`, queued inside send) is then never timed before it.
  const handedAt = deps.clock.now().toISOString();
  try {
    const result = await sender.send(message);
    sent = true;
    // Before `sent` is recorded: a redelivery that finds it sent skips everything after the claim.
    // Nobody waiting (the resolver's touch said so, its message answered by this reply): nothing to end.
    if (answersCustomer(message.author) && !held?.nobodyWaiting)
      await deps.store.markAnswered?.(message.conversationId, answeredAt(message));
    failedFirst = await deps.store.recordSent(message, result, handedAt);
    logger.info('reply sent', { ...fields, providerMessageId: loggedId(result.providerMessageId) });
    // Its give-up told the clock it never answered: now it has.
    if (claimed === 'retry' && answersCustomer(message.author)) await trackRetried(deps, message, handedAt);
  } catch (error) {
    // Once the provider took it, the lease stays until it runs out: a retry then finds it recorded, or sends again.
    await handleFailure(deps, message, error, receiveCount, fields, sent ? undefined : letGo);
  }
  if (failedFirst) await waitAgainAfterLateFailure(deps, message);
}
