import type { Attachment } from '#shared/domain/envelope.js';
import { headOf } from '#shared/domain/text-cut.js';
import type { SesReceivedNotification } from './schema.js';

/** Raw MIME up to this size stays in `raw.content` (SNS action); larger mail is only referenced. */
export const MAX_INLINE_MIME_BYTES = 32 * 1024;

/** At most this many attachments are listed; `data.attachmentsOmitted` counts the rest. */
export const MAX_ATTACHMENTS = 100;

/**
 * What one received email may put on its envelope, and so on its timeline item and raw payload item:
 * every field a sender controls is capped, so that each item stays well under DynamoDB's 400 KB (text
 * and full text 64 KiB each, see received.ts; the rest below adds at most ~80 KB). The full MIME stays
 * in S3 (the S3 action) for whoever needs what was cut.
 */
export const MAIL_BOUNDS = {
  /** References kept: the newest ones (the end of the header), which threading looks up first. */
  references: 20,
  /** Reply-To addresses kept, in the order the sender gave them. */
  replyTo: 10,
  /** Cc addresses kept (other than the From and our own recipients), in header order. */
  cc: 10,
  /** To addresses kept (other than the From and our own recipients), in header order. */
  to: 10,
  /** Receipt recipients kept (SES accepts at most 50 per message). */
  recipients: 50,
  /** Subject length, in characters. */
  subjectChars: 998,
  /** Attachment file name and MIME type length, in characters (MAX_ATTACHMENTS caps their number). */
  attachmentNameChars: 255,
  /** The largest raw notification (JSON) kept on the envelope; a larger one keeps only SES's ids. */
  rawBytes: 32 * 1024,
} as const;

/** Records which fields were cut, for `data.truncatedFields`. */
export type Cuts = Set<string>;

/** The first `max` values, noting `field` in `cuts` when some were dropped. */
export function firstOf<T>(values: readonly T[], max: number, field: string, cuts: Cuts): T[] {
  if (values.length <= max) return [...values];
  cuts.add(field);
  return values.slice(0, max);
}

/** The last `max` values (the newest References), noting `field` in `cuts` when some were dropped. */
export function lastOf<T>(values: readonly T[], max: number, field: string, cuts: Cuts): T[] {
  if (values.length <= max) return [...values];
  cuts.add(field);
  return values.slice(values.length - max);
}

/**
 * A string cut to `max` UTF-16 units between two characters as a reader counts them (see headOf: no
 * surrogate pair, emoji sequence or letter and its accent split), noting `field` in `cuts`.
 */
export function cutChars(
  value: string | undefined,
  max: number,
  field: string,
  cuts: Cuts,
): string | undefined {
  if (value === undefined || value.length <= max) return value;
  cuts.add(field);
  return headOf(value, max);
}

/** Attachments with their sender-chosen names and types cut to length. */
export function boundedAttachments(attachments: readonly Attachment[], cuts: Cuts): Attachment[] {
  const max = MAIL_BOUNDS.attachmentNameChars;
  return attachments.map((attachment) => {
    const { filename, mimeType } = attachment;
    return {
      ...attachment,
      ...(filename !== undefined ? { filename: cutChars(filename, max, 'attachments', cuts) } : {}),
      ...(mimeType !== undefined ? { mimeType: cutChars(mimeType, max, 'attachments', cuts) } : {}),
    };
  });
}

/**
 * The raw payload an email's envelope keeps: the notification as given when its JSON fits
 * `MAIL_BOUNDS.rawBytes`; otherwise what identifies the mail (SES's ids, times, verdicts and where the
 * MIME is) and the inline MIME if it was kept (at most MAX_INLINE_MIME_BYTES: the SNS action keeps no
 * other copy), without the headers and address lists that made it large, with `raw` noted in `cuts`.
 */
export function boundedRaw(raw: Record<string, unknown>, notification: SesReceivedNotification, cuts: Cuts) {
  if (Buffer.byteLength(JSON.stringify(raw), 'utf8') <= MAIL_BOUNDS.rawBytes) return raw;
  cuts.add('raw');
  const { mail, receipt } = notification;
  return {
    notificationType: notification.notificationType,
    ...(typeof raw.content === 'string' ? { content: raw.content } : {}),
    mail: {
      timestamp: mail.timestamp,
      messageId: mail.messageId,
      headersTruncated: true,
    },
    receipt: {
      ...receipt,
      recipients: receipt.recipients.slice(0, MAIL_BOUNDS.recipients),
    },
  };
}
