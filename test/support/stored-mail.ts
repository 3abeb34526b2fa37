import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { MailFile } from './mail-files.js';
import { sesReceived } from './webhooks.js';

/** Alice's files: an image the text shows (Content-ID, inline) first, attachments[0] on the item too, then a PDF. */
export const MAIL_FILES: MailFile[] = [
  {
    filename: 'logo.png',
    contentType: 'image/png',
    bytes: Buffer.from('89504e470d0a1a0a0001', 'hex'),
    inline: true,
  },
  { filename: 'INV-2291.pdf', contentType: 'application/pdf', bytes: Buffer.from('%PDF-1.4 invoice') },
];

/** Where `storedMail`'s MIME is kept: an S3 action's object. */
const S3 = { type: 'S3', bucketName: 'threadline-inbound', objectKey: 'inbound/mailfiles2' };

/**
 * A mail with `files` as SES stored it in S3 (the S3 action), and its item as the normaliser made it
 * on arrival (`data.s3` names the object), on `customerId`'s timeline.
 */
export async function storedMail(
  files: MailFile[],
  customerId: string,
): Promise<{ mime: Buffer; item: TimelineItem }> {
  const notification = sesReceived({
    sesId: 'mailfiles2',
    at: '2026-03-02T09:00:00.000Z',
    from: 'Alice <alice@acme.example>',
    messageId: '<mailfiles2@acme.example>',
    text: 'Files attached.',
    files,
  }) as { content?: string; receipt: { action: unknown } };
  const mime = Buffer.from(notification.content ?? '', 'base64');
  delete notification.content;
  notification.receipt.action = S3;
  const normalised = await normaliseSesNotification(
    notification,
    { receivedAt: '2026-03-02T09:00:01.000Z', snsMessageId: 'sns-mailfiles2' },
    mime,
  );
  const envelope = normalised.envelopes[0] as unknown as TimelineItem & { occurredAt: string };
  const item = { ...envelope, id: 'email:mailfiles2', customerId, at: envelope.occurredAt };
  return { mime, item: item as unknown as TimelineItem };
}
