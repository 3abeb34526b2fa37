import { compile } from 'html-to-text';
import {
  type AddressObject,
  type Attachment as MailAttachment,
  type ParsedMail,
  simpleParser,
} from 'mailparser';
import * as z from 'zod/mini';
import { normaliseEmail } from '#shared/domain/addresses.js';
import type { Attachment, EnvelopeInput, Identity, ProviderError } from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../validation/json-depth.js';
import { collect, type Normalised, optional, RejectedItem, rejectInvalid } from '../normalised.js';
import { SesNotificationShellSchema } from './mail.js';
import {
  type SesBounce,
  type SesComplaint,
  type SesDelivery,
  type SesReceivedNotification,
  SesReceivedNotificationSchema,
  type SesSendingNotification,
  SesSendingNotificationSchema,
} from './schema.js';

/** What the normaliser needs besides the notification. */
export interface SesNormaliseContext {
  /** When our webhook received the notification (ISO 8601 UTC). */
  receivedAt: string;
  /** The SNS MessageId that carried it: the same on every redelivery, and the stem of every `rawRef`. */
  snsMessageId: string;
}

/** The envelopes of one notification, plus what was skipped so the caller can log it. */
export type SesNormalised = Normalised;

/**
 * The `SystemEnvelope.event` that says "stop emailing this address" (permanent bounce, complaint).
 * The envelope's errors say which (`bounce:Permanent:<subtype>` or `complaint:<feedback type>`).
 */
export const SUPPRESSION_EVENT = 'suppressed' as const;

/** Longest `text` and `data.fullText`, in UTF-8 bytes: the envelope becomes a DynamoDB item (400 KB). */
export const MAX_TEXT_BYTES = 64 * 1024;
/** Raw MIME up to this size stays in `raw.content` (SNS action); larger mail is only referenced. */
export const MAX_INLINE_MIME_BYTES = 32 * 1024;
/** At most this many attachments are listed; `data.attachmentsOmitted` counts the rest. */
export const MAX_ATTACHMENTS = 100;

/** Where the raw MIME of a `Received` notification waits in S3 (the S3 action), when it is not inline. */
export interface SesS3Location {
  bucket: string;
  key: string;
}

const S3ActionShellSchema = z.looseObject({
  notificationType: z.literal('Received'),
  receipt: z.looseObject({
    action: z.looseObject({
      type: z.literal('S3'),
      bucketName: z.string().check(z.minLength(1)),
      objectKey: z.string().check(z.minLength(1)),
    }),
  }),
  content: z.optional(z.string()),
});

/**
 * The S3 object holding the email of a `Received` notification from an S3 action, or undefined when
 * the MIME is inline (SNS action) or the notification is about something else. The app fetches it.
 */
export function sesS3Location(notification: unknown): SesS3Location | undefined {
  const parsed = S3ActionShellSchema.safeParse(notification);
  if (!parsed.success || parsed.data.content !== undefined) return undefined;
  const { bucketName, objectKey } = parsed.data.receipt.action;
  return { bucket: bucketName, key: objectKey };
}

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
    const parsed = mime ? await parseMime(mime) : undefined;
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

// ---------------------------------------------------------------------------------------------------
// Received: an inbound email

/** What the MIME says, or what SES's own header parse says when there is no MIME to read. */
interface MailContent {
  from?: { address: string; name?: string | undefined } | undefined;
  replyTo: string[];
  subject?: string | undefined;
  messageId?: string | undefined;
  inReplyTo: string[];
  references: string[];
  /** The body as plain text: the text part, else the HTML part turned to text. */
  body?: string | undefined;
  attachments: Attachment[];
  attachmentsOmitted: number;
  header: (name: string) => string | undefined;
  contentType?: string | undefined;
}

/** The inbound message of a `Received` notification; `mime` is its raw MIME, `parsed` that MIME read. */
function receivedEnvelope(
  notification: SesReceivedNotification,
  ctx: SesNormaliseContext,
  mime: Uint8Array | undefined,
  parsed: ParsedMail | undefined,
): EnvelopeInput {
  const { mail, receipt } = notification;
  const content = parsed ? mailContent(parsed) : headerContent(notification);

  const sender = content.from?.address ?? mail.commonHeaders?.from?.[0];
  const address = sender ? normaliseEmail(sender) : undefined;
  if (!address) throw new RejectedItem('received email without a usable From address');
  const customer: Identity = { kind: 'email', value: address };
  const account = receipt.recipients.map((r) => normaliseEmail(r)).find((r) => r !== undefined);

  const split = content.body ? splitQuoted(content.body) : undefined;
  const text = split ? capText(split.text) : undefined;
  const fullText = split?.quoted ? capText(split.full) : undefined;
  const [inReplyTo, ...otherParents] = content.inReplyTo;
  const references = unique([...content.references, ...otherParents]);
  const verdicts = verdictsOf(notification);
  const s3 = sesS3LocationOf(notification);
  const replyTo = content.replyTo.filter((r) => r !== address);

  const data: Record<string, unknown> = {
    ...optional('subject', content.subject),
    ...optional('messageId', content.messageId),
    ...optional('inReplyTo', inReplyTo),
    ...(references.length > 0 ? { references } : {}),
    ...(replyTo.length > 0 ? { replyToAddresses: replyTo } : {}),
    ...(receipt.recipients.length > 1 ? { recipients: receipt.recipients.map((r) => r.toLowerCase()) } : {}),
    ...optional('fullText', fullText?.value),
    ...(text?.truncated || fullText?.truncated ? { truncated: true } : {}),
    ...(content.attachmentsOmitted > 0 ? { attachmentsOmitted: content.attachmentsOmitted } : {}),
    ...(isAutoReply(content) ? { autoReply: true } : {}),
    ...(Object.keys(verdicts.verdicts).length > 0 ? { verdicts: verdicts.verdicts } : {}),
    ...(verdicts.quarantined ? { quarantined: true } : {}),
    ...optional('s3', s3),
    ...(mime ? { mimeBytes: mime.byteLength } : {}),
    ...(parsed ? {} : { bodyUnavailable: true }),
  };

  // The envelope keeps what SES said about the mail; the MIME itself only when it is small (large mail
  // is referenced by `data.s3`, or is gone: the SNS action keeps no copy).
  const { content: inline, ...rest } = notification;
  const raw = inline !== undefined && mime && mime.byteLength <= MAX_INLINE_MIME_BYTES ? notification : rest;

  return {
    id: `ses:msg:${mail.messageId}`,
    provider: 'ses',
    channel: 'email',
    ...optional('account', account),
    occurredAt: isoTime(mail.timestamp, ctx.receivedAt),
    receivedAt: ctx.receivedAt,
    rawRef: rawRef(ctx, ''),
    raw,
    kind: 'message',
    direction: 'inbound',
    providerMessageId: mail.messageId,
    customer,
    ...optional('profileName', content.from?.name?.trim().slice(0, 256) || undefined),
    contentType: contentTypeOf(text?.value, content.attachments),
    ...optional('text', text?.value),
    attachments: content.attachments,
    data,
  };
}

function inlineMime(notification: SesReceivedNotification): Uint8Array | undefined {
  const { content, receipt } = notification;
  if (content === undefined) return undefined;
  return /^base64$/i.test(receipt.action.encoding ?? '')
    ? Buffer.from(content, 'base64')
    : Buffer.from(content, 'utf8');
}

async function parseMime(mime: Uint8Array): Promise<ParsedMail | undefined> {
  try {
    return await simpleParser(Buffer.from(mime.buffer, mime.byteOffset, mime.byteLength), {
      // The HTML part is turned to text below, with our options; links and data: URIs are not needed.
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
    });
  } catch {
    // Unreadable MIME: the envelope is built from SES's header parse and says the body is unavailable.
    return undefined;
  }
}

function mailContent(mail: ParsedMail): MailContent {
  const from = addresses(mail.from)[0];
  const listed = mail.attachments.slice(0, MAX_ATTACHMENTS).map(attachmentOf);
  const plain = mail.text?.trim() ? mail.text : undefined;
  const html = typeof mail.html === 'string' && mail.html.trim() ? mail.html : undefined;
  return {
    ...optional('from', from),
    replyTo: addresses(mail.replyTo)
      .map((a) => normaliseEmail(a.address))
      .filter((a) => a !== undefined),
    ...optional('subject', mail.subject?.trim() || undefined),
    ...optional('messageId', mail.messageId?.trim() || undefined),
    inReplyTo: messageIds(mail.inReplyTo),
    references: messageIds(mail.references),
    ...optional('body', plain ?? (html ? htmlToText(html) : undefined)),
    attachments: listed,
    attachmentsOmitted: mail.attachments.length - listed.length,
    header: (name) => headerText(mail.headers.get(name)),
    ...optional('contentType', headerText(mail.headers.get('content-type'))),
  };
}

/** The headers-only view, from SES's own parse: used when there is no MIME (Lambda action, unreadable). */
function headerContent(notification: SesReceivedNotification): MailContent {
  const { mail } = notification;
  const common = mail.commonHeaders;
  const header = (name: string) =>
    mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
  const from = common?.from?.[0];
  const fromAddress = from ? normaliseEmail(from) : undefined;
  const displayName = from
    ?.replace(/<[^<>]*>\s*$/, '')
    .replace(/^"|"$/g, '')
    .trim();
  return {
    ...(fromAddress ? { from: { address: fromAddress, name: displayName || undefined } } : {}),
    replyTo: (common?.replyTo ?? []).map((a) => normaliseEmail(a)).filter((a) => a !== undefined),
    ...optional('subject', common?.subject?.trim() || undefined),
    ...optional('messageId', common?.messageId?.trim() || undefined),
    inReplyTo: messageIds(header('in-reply-to')),
    references: messageIds(header('references')),
    attachments: [],
    attachmentsOmitted: 0,
    header,
    ...optional('contentType', header('content-type')),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): { address: string; name?: string }[] {
  const objects = Array.isArray(field) ? field : field ? [field] : [];
  const out: { address: string; name?: string }[] = [];
  const visit = (entries: AddressObject['value']): void => {
    for (const entry of entries) {
      if (entry.address) out.push({ address: entry.address, ...optional('name', entry.name || undefined) });
      if (entry.group) visit(entry.group);
    }
  };
  for (const object of objects) visit(object.value);
  return out;
}

/**
 * Message ids as RFC 5322 writes them (`<left@right>`), in order, without duplicates. Ids without angle
 * brackets (some senders, SES's own examples) are kept as the whitespace-separated words they are.
 */
export function messageIds(value: string | string[] | undefined): string[] {
  const joined = (Array.isArray(value) ? value : value ? [value] : []).join(' ');
  const bracketed = joined.match(/<[^<>\s]+>/g);
  const ids = bracketed ?? joined.split(/[\s,]+/).filter((word) => word.length > 0);
  return unique(ids.filter((id) => id.length <= 998));
}

function attachmentOf(part: MailAttachment): Attachment {
  const mimeType = part.contentType?.toLowerCase();
  const top = mimeType?.split('/')[0];
  const kind = top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
  return {
    kind,
    ...optional('filename', part.filename || undefined),
    ...optional('mimeType', mimeType),
    sizeBytes: part.size,
  };
}

function contentTypeOf(text: string | undefined, attachments: Attachment[]) {
  if (text !== undefined || attachments.length === 0) return 'text' as const;
  const first = attachments[0]?.kind;
  return first === 'image' || first === 'audio' || first === 'video' ? first : ('document' as const);
}

// Built once: compiling the converter's selectors costs more than a typical conversion.
const convertHtml = compile({
  wordwrap: false,
  selectors: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

/** An HTML body as plain text: headings in their own case, images dropped, quotes as `> ` lines. */
export function htmlToText(html: string): string {
  return convertHtml(html);
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return headerText(value[0]);
  if (typeof value === 'object' && value !== null && 'value' in value && typeof value.value === 'string') {
    return value.value;
  }
  return undefined;
}

const AUTO_PRECEDENCE = new Set(['bulk', 'junk', 'auto_reply']);

/**
 * Machine-sent mail that must not start a conversation with a human or the AI: RFC 3834
 * `Auto-Submitted` (anything but `no`), the vendor `X-Autoreply`/`X-Autorespond` headers, `Precedence:
 * bulk|junk|auto_reply`, and delivery reports (`multipart/report`).
 */
function isAutoReply(content: MailContent): boolean {
  const value = (name: string) => content.header(name)?.split(';')[0]?.trim().toLowerCase();
  const autoSubmitted = value('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  for (const name of ['x-autoreply', 'x-autorespond']) {
    const flag = value(name);
    if (flag && flag !== 'no') return true;
  }
  if (AUTO_PRECEDENCE.has(value('precedence') ?? '')) return true;
  return content.contentType?.toLowerCase().startsWith('multipart/report') ?? false;
}

/**
 * The receipt's verdicts, and whether the mail is quarantined: spam or virus FAIL, or a DMARC failure
 * whose domain asks receivers to quarantine or reject (a spoofed From must not reach a customer's
 * timeline, where the AI would answer the impostor).
 */
function verdictsOf(notification: SesReceivedNotification): {
  verdicts: Record<string, string>;
  quarantined: boolean;
} {
  const { receipt } = notification;
  const verdicts: Record<string, string> = {
    ...optional('spam', receipt.spamVerdict?.status),
    ...optional('virus', receipt.virusVerdict?.status),
    ...optional('spf', receipt.spfVerdict?.status),
    ...optional('dkim', receipt.dkimVerdict?.status),
    ...optional('dmarc', receipt.dmarcVerdict?.status),
    ...optional('dmarcPolicy', receipt.dmarcPolicy),
  };
  const failed = (status: string | undefined) => status?.toUpperCase() === 'FAIL';
  const enforcedDmarc = ['quarantine', 'reject'].includes(receipt.dmarcPolicy?.toLowerCase() ?? '');
  const quarantined =
    failed(verdicts.spam) || failed(verdicts.virus) || (failed(verdicts.dmarc) && enforcedDmarc);
  return { verdicts, quarantined };
}

function sesS3LocationOf(notification: SesReceivedNotification): SesS3Location | undefined {
  const { action } = notification.receipt;
  return action.type === 'S3' && action.bucketName && action.objectKey
    ? { bucket: action.bucketName, key: action.objectKey }
    : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Quoted history

/** A body split into what the sender wrote now and the history they quoted below (or above) it. */
export interface SplitText {
  /** The new text; the whole body when nothing is quoted. */
  text: string;
  /** The whole body, trimmed. */
  full: string;
  quoted: boolean;
}

// "On <date>, <name> wrote:" and its translations; Gmail wraps it over two or three lines.
const ATTRIBUTION = [
  /^On\b.{1,400}\bwrote:$/is,
  /^Am\b.{1,400}\bschrieb\b.{0,200}:$/is,
  /^Le\b.{1,400}\ba écrit\s?:$/is,
  /^El\b.{1,400}\bescribió:$/is,
  /^Em\b.{1,400}\bescreveu:$/is,
  /^Op\b.{1,400}\bschreef\b.{0,200}:$/is,
  /^Il giorno\b.{1,400}\bha scritto:$/is,
];
const ORIGINAL_MESSAGE = /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}$/i;
const OUTLOOK_RULE = /^_{20,}$/;
const HEADER_FROM = /^(From|Von|De|Da):\s/i;
const HEADER_SENT = /^(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato):\s/i;
// A forward carries the content the sender wants us to read: it is never treated as a quote.
const FORWARD =
  /^(-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:|-{2,}\s*Weitergeleitete Nachricht\s*-{2,})$/i;

/**
 * Separates the new text of an email from the history it quotes: everything from the first quote
 * marker on (`> ` lines, an "On … wrote:" attribution, Outlook's "-----Original Message-----" or
 * "From:/Sent:" block). A bottom-posted reply (quote first, answer below) keeps its unquoted lines.
 * Forwards are left whole: what they carry is what the sender wants read.
 */
export function splitQuoted(body: string): SplitText {
  const full = trimBody(body);
  const lines = full.split('\n');
  let cut = -1;
  let inline = false;
  for (let i = 0; i < lines.length && cut < 0; i++) {
    const line = (lines[i] ?? '').trim();
    if (FORWARD.test(line)) break;
    if (line.startsWith('>') || attributionLength(lines, i) > 0) {
      cut = i;
      inline = true;
    } else if (
      ORIGINAL_MESSAGE.test(line) ||
      (OUTLOOK_RULE.test(line) && HEADER_FROM.test(nextNonEmpty(lines, i + 1) ?? '')) ||
      (HEADER_FROM.test(line) && isHeaderBlock(lines, i))
    ) {
      cut = i;
    }
  }
  if (cut < 0) return { text: full, full, quoted: false };
  const before = lines.slice(0, cut);
  // "John wrote:" in a form the patterns do not know still introduces the quote below it.
  const last = before.findLastIndex((line) => line.trim() !== '');
  if (inline && last >= 0 && /\bwrote:$/i.test(before[last]?.trim() ?? '')) before.splice(last);
  const text = trimBody(before.join('\n'));
  if (text) return { text, full, quoted: true };
  if (inline) {
    const answer: string[] = [];
    for (let i = cut; i < lines.length; i++) {
      const skip = attributionLength(lines, i);
      if (skip > 0) i += skip - 1;
      else if (!(lines[i] ?? '').trimStart().startsWith('>')) answer.push(lines[i] ?? '');
    }
    const bottom = trimBody(answer.join('\n'));
    if (bottom) return { text: bottom, full, quoted: true };
  }
  return { text: full, full, quoted: false };
}

/** How many lines (1 to 3) the attribution starting at line i spans, or 0 when there is none. */
function attributionLength(lines: string[], i: number): number {
  const first = lines[i]?.trim() ?? '';
  if (!/^(On|Am|Le|El|Em|Op|Il giorno)\b/i.test(first)) return 0;
  for (let n = 1; n <= 3 && i + n <= lines.length; n++) {
    const joined = lines
      .slice(i, i + n)
      .map((l) => l.trim())
      .join(' ');
    if (ATTRIBUTION.some((pattern) => pattern.test(joined))) return n;
  }
  return 0;
}

function isHeaderBlock(lines: string[], i: number): boolean {
  const window = lines.slice(i + 1, i + 5).map((l) => l.trim());
  return (
    window.some((l) => HEADER_SENT.test(l)) &&
    window.some((l) => /^(To|An|À|Para|A|Subject|Betreff|Objet|Asunto|Oggetto):/i.test(l))
  );
}

function nextNonEmpty(lines: string[], from: number): string | undefined {
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return undefined;
}

function trimBody(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/^\n+|\n+$/g, '');
}

function capText(value: string): { value: string; truncated: boolean } {
  if (Buffer.byteLength(value, 'utf8') <= MAX_TEXT_BYTES) return { value, truncated: false };
  // Cut on a byte budget, then drop a character the cut split in two.
  const cut = Buffer.from(value, 'utf8')
    .subarray(0, MAX_TEXT_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return { value: cut, truncated: true };
}

// ---------------------------------------------------------------------------------------------------
// Bounce, Complaint, Delivery: what happened to an email we sent

/**
 * A permanent bounce fails the message and suppresses the address; a transient or undetermined one
 * fails it only (SES reports a soft bounce only once it has stopped retrying, so the mail is not coming).
 */
function bounceEnvelopes(
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
    collect(out, pointer, () => [
      statusEnvelope(notification, ctx, pointer, recipient.emailAddress, 'failed', at, [error]),
    ]);
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
 * A complaint proves the mail reached the mailbox (status delivered, the same envelope id a Delivery
 * notification gives) and suppresses the address, unless the feedback type is `not-spam`.
 */
function complaintEnvelopes(
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

function deliveryEnvelopes(
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
  };
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
  return {
    id: `ses:suppressed:${notification.mail.messageId}:${reason}:${customer.value}`,
    ...sendingBase(notification, ctx, pointer, occurredAt),
    kind: 'system',
    event: SUPPRESSION_EVENT,
    providerMessageId: notification.mail.messageId,
    customer,
    text: `email address suppressed after a ${because}`,
    errors: [error],
  };
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

// ---------------------------------------------------------------------------------------------------

function emailIdentity(address: string): Identity | undefined {
  const value = normaliseEmail(address);
  return value ? { kind: 'email', value } : undefined;
}

/** `ses:sns:<SNS MessageId>#<JSON pointer into the SES notification>`. */
function rawRef(ctx: SesNormaliseContext, pointer: string): string {
  return `ses:sns:${ctx.snsMessageId}#${pointer}`;
}

function isoTime(value: string, fallback: string): string {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? fallback : time.toISOString();
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
