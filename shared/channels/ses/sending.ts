import { createHash } from 'node:crypto';
import { normaliseEmail } from '#shared/domain/addresses.js';
import type { EnvelopeInput, Identity, ProviderError } from '#shared/domain/envelope.js';
import { decodeReplyKey, REPLY_KEY_TAG } from '#shared/domain/reply-key.js';
import { collect, type Normalised, optional, RejectedItem } from '../normalised.js';
import { isoTime, rawRef, type SesNormaliseContext } from './context.js';
import type { SesBounce, SesComplaint, SesDelivery, SesSendingNotification } from './schema.js';

/**
 * The `SystemEnvelope.event` that says "stop emailing this address" (permanent bounce, complaint).
 * The envelope's errors say which (`bounce:Permanent:<subtype>` or `complaint:<feedback type>`).
 */
export const SUPPRESSION_EVENT = 'suppressed' as const;

/**
 * A permanent bounce fails the message and suppresses the address; a transient or undetermined one
 * fails it only (SES reports a soft bounce only once it has stopped retrying, so the mail is not coming).
 */
export function bounceEnvelopes(
  out: Normalised,
  notification: SesSendingNotification,
  bounce: SesBounce,
  ctx: SesNormaliseContext,
): void {
  const permanent = bounce.bounceType === 'Permanent';
  bounce.bouncedRecipients.forEach((recipient, i) => {
    const pointer = `/bounce/bouncedRecipients/${i}`;
    const error: ProviderError = {
      code: `bounce:${bounce.bounceType}:${bounce.bounceSubType}`,
      title: `${bounce.bounceType} bounce (${bounce.bounceSubType})`,
      ...optional('message', recipient.diagnosticCode ?? recipient.status),
    };
    const at = isoTime(bounce.timestamp, ctx.receivedAt);
    // A colleague the reply copied bounced: the reply reached its To; the address is suppressed only.
    if (!onlyCopied(notification, recipient.emailAddress)) {
      collect(out, pointer, () => [
        statusEnvelope(notification, ctx, pointer, recipient.emailAddress, 'failed', at, [error]),
      ]);
    }
    if (permanent) {
      collect(out, pointer, () => [
        suppression(
          notification,
          ctx,
          pointer,
          recipient.emailAddress,
          'bounce',
          at,
          error,
          'permanent bounce',
        ),
      ]);
    }
  });
}

/**
 * Whether `address` was only copied on the mail (in its Cc, not its To, as SES's `commonHeaders`
 * show them): its bounce says nothing of the mail's delivery to the customer it was written to.
 */
function onlyCopied(notification: SesSendingNotification, address: string): boolean {
  const headers = notification.mail.commonHeaders;
  const wanted = address.trim().toLowerCase();
  // An entry may list several mailboxes (`Jane <jane@x>, Mary <mary@x>`): the address as a whole token.
  const has = (list: readonly string[] | undefined) =>
    (list ?? []).some((entry) =>
      entry
        .toLowerCase()
        .split(/[\s<>,"]+/)
        .includes(wanted),
    );
  return has(headers?.cc) && !has(headers?.to);
}

/**
 * A complaint proves the mail reached the mailbox (status delivered, the same envelope id a Delivery
 * notification gives) and suppresses the address, unless the feedback type is `not-spam`.
 */
export function complaintEnvelopes(
  out: Normalised,
  notification: SesSendingNotification,
  complaint: SesComplaint,
  ctx: SesNormaliseContext,
): void {
  complaint.complainedRecipients.forEach((recipient, i) => {
    const pointer = `/complaint/complainedRecipients/${i}`;
    const at = isoTime(complaint.timestamp, ctx.receivedAt);
    collect(out, pointer, () => [
      statusEnvelope(notification, ctx, pointer, recipient.emailAddress, 'delivered', at),
    ]);
    if (complaint.complaintFeedbackType?.toLowerCase() === 'not-spam') return;
    const error: ProviderError = {
      code: `complaint:${complaint.complaintFeedbackType ?? 'unspecified'}`,
      title: 'Complaint',
      ...optional('message', complaint.complaintSubType ?? undefined),
    };
    collect(out, pointer, () => [
      suppression(notification, ctx, pointer, recipient.emailAddress, 'complaint', at, error, 'complaint'),
    ]);
  });
}

/** A delivery: a `delivered` status per recipient. */
export function deliveryEnvelopes(
  out: Normalised,
  notification: SesSendingNotification,
  delivery: SesDelivery,
  ctx: SesNormaliseContext,
): void {
  delivery.recipients.forEach((address, i) => {
    const pointer = `/delivery/recipients/${i}`;
    const at = isoTime(delivery.timestamp, ctx.receivedAt);
    collect(out, pointer, () => [statusEnvelope(notification, ctx, pointer, address, 'delivered', at)]);
  });
}

function statusEnvelope(
  notification: SesSendingNotification,
  ctx: SesNormaliseContext,
  pointer: string,
  recipient: string,
  status: 'delivered' | 'failed',
  occurredAt: string,
  errors?: ProviderError[],
): EnvelopeInput {
  const { mail } = notification;
  const customer = emailIdentity(recipient);
  return {
    // One per message, status and recipient: SES may report one recipient in several notifications.
    id: `ses:status:${mail.messageId}:${status}:${customer?.value ?? recipient.trim().toLowerCase()}`,
    ...sendingBase(notification, ctx, pointer, occurredAt),
    kind: 'status',
    providerMessageId: mail.messageId,
    status,
    ...optional('customer', customer),
    ...(errors ? { errors } : {}),
    ...optional('replyKey', taggedReplyKey(mail)),
  };
}

/**
 * The reply's key from the mail's tags: SES puts the message tags of a send in `mail.tags` (name to a
 * list of values) of the events a configuration set publishes; notifications set on the identity have
 * none. Only a key of ours.
 */
function taggedReplyKey(mail: SesSendingNotification['mail']): string | undefined {
  const tags = (mail as Record<string, unknown>).tags;
  if (typeof tags !== 'object' || tags === null) return undefined;
  const values = (tags as Record<string, unknown>)[REPLY_KEY_TAG];
  const [value] = Array.isArray(values) ? values : [];
  return decodeReplyKey(value) ? (value as string) : undefined;
}

function suppression(
  notification: SesSendingNotification,
  ctx: SesNormaliseContext,
  pointer: string,
  recipient: string,
  reason: 'bounce' | 'complaint',
  occurredAt: string,
  error: ProviderError,
  because: string,
): EnvelopeInput {
  const customer = emailIdentity(recipient);
  if (!customer) throw new RejectedItem(`${reason} for an address that is not an email address`);
  const { messageId } = notification.mail;
  return {
    id: suppressionEnvelopeId(messageId, reason, customer.value),
    ...sendingBase(notification, ctx, pointer, occurredAt),
    kind: 'system',
    event: SUPPRESSION_EVENT,
    providerMessageId: messageId,
    customer,
    text: `email address suppressed after a ${because}`,
    errors: [error],
    // The sent mail it is about: the resolver attaches the suppression to that mail's customer.
    ...optional('replyKey', taggedReplyKey(notification.mail)),
  };
}

/**
 * The id of a suppression (the provider reference its timeline item is written once under, which an
 * erasure leaves as a marker for 14 days): the SES message id, the reason, and a SHA-256 of the
 * message id and the address, never the address itself, so the marker names nobody. One per mail,
 * reason and recipient, the same on every redelivery.
 */
export function suppressionEnvelopeId(messageId: string, reason: 'bounce' | 'complaint', address: string) {
  const digest = createHash('sha256').update(`${messageId}\n${address}`).digest('hex').slice(0, 32);
  return `ses:suppressed:${messageId}:${reason}:${digest}`;
}

function sendingBase(
  notification: SesSendingNotification,
  ctx: SesNormaliseContext,
  pointer: string,
  at: string,
) {
  // The headers SES may attach are the original mail's, ours: the status does not need them.
  const { headers: _headers, commonHeaders: _common, ...mail } = notification.mail;
  const source = mail.source ? normaliseEmail(mail.source) : undefined;
  return {
    provider: 'ses' as const,
    channel: 'email' as const,
    ...optional('account', source),
    occurredAt: at,
    receivedAt: ctx.receivedAt,
    rawRef: rawRef(ctx, pointer),
    raw: { ...notification, mail },
  };
}

function emailIdentity(address: string): Identity | undefined {
  const value = normaliseEmail(address);
  return value ? { kind: 'email', value } : undefined;
}
