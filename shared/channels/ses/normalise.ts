import { ValidationError } from '#shared/errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '#shared/validation/json-depth.js';
import { collect, type Normalised, rejectInvalid } from '../normalised.js';
import type { SesNormaliseContext } from './context.js';
import { SesNotificationShellSchema } from './mail.js';
import { parseMime } from './mail-content.js';
import { inlineMime, receivedEnvelope } from './received.js';
import { SesReceivedNotificationSchema, SesSendingNotificationSchema } from './schema.js';
import { bounceEnvelopes, complaintEnvelopes, deliveryEnvelopes } from './sending.js';

/** The envelopes of one notification, plus what was skipped so the caller can log it. */
export type SesNormalised = Normalised;

/**
 * Turns an SES notification (the JSON inside the SNS Message) into envelopes. `Received` becomes one
 * inbound email message, its MIME parsed from `content` (SNS action) or from `rawMime` (the S3 object,
 * fetched by the caller); Bounce, Complaint and Delivery become a delivery status per recipient, plus a
 * suppression for a permanent bounce or a complaint. Pure and deterministic: ids come from SES ids, so a
 * redelivered notification yields the same envelopes. Throws ValidationError only when the payload is
 * not an SES notification at all.
 */
export async function normaliseSesNotification(
  notification: unknown,
  ctx: SesNormaliseContext,
  rawMime?: Uint8Array,
): Promise<SesNormalised> {
  const shell = SesNotificationShellSchema.safeParse(notification);
  const type = shell.success ? (shell.data.notificationType ?? shell.data.eventType) : undefined;
  if (!shell.success || type === undefined) {
    throw new ValidationError('not an SES notification', shell.success ? {} : { cause: shell.error });
  }
  if (nestsDeeperThan(notification, MAX_JSON_DEPTH)) {
    throw new ValidationError(`the notification nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const out: Normalised = { envelopes: [], rejected: [] };
  if (type === 'Received') {
    const received = SesReceivedNotificationSchema.safeParse(notification);
    if (!received.success) {
      rejectInvalid(out, '', received.error);
      return out;
    }
    // The one asynchronous step, done before the envelope is built so that `collect` stays synchronous.
    const mime = rawMime ?? inlineMime(received.data);
    const parsed = mime ? await parseMime(mime, { fallbackCharset: ctx.fallbackCharset }) : undefined;
    collect(out, '', () => [receivedEnvelope(received.data, ctx, mime, parsed)]);
    return out;
  }
  if (type !== 'Bounce' && type !== 'Complaint' && type !== 'Delivery') {
    // The type is named only when it looks like one (Open, Rendering Failure...): reasons quote no payload values.
    const named = /^[A-Za-z][A-Za-z ]{0,63}$/.test(type) ? ` ${JSON.stringify(type)}` : '';
    out.rejected.push({ pointer: '', reason: `unsupported SES notification type${named}` });
    return out;
  }
  const sending = SesSendingNotificationSchema.safeParse(notification);
  if (!sending.success) {
    rejectInvalid(out, '', sending.error);
    return out;
  }
  const { bounce, complaint, delivery } = sending.data;
  if (type === 'Bounce' && bounce) bounceEnvelopes(out, sending.data, bounce, ctx);
  else if (type === 'Complaint' && complaint) complaintEnvelopes(out, sending.data, complaint, ctx);
  else if (type === 'Delivery' && delivery) deliveryEnvelopes(out, sending.data, delivery, ctx);
  else
    out.rejected.push({
      pointer: '',
      reason: `${type} notification without its ${type.toLowerCase()} object`,
    });
  return out;
}
