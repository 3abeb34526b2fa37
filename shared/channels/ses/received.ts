import type { ParsedMail } from 'mailparser';
import * as z from 'zod/mini';
import { normaliseEmail } from '#shared/domain/addresses.js';
import type { Attachment, EnvelopeInput, Identity } from '#shared/domain/envelope.js';
import { headOf } from '#shared/domain/text-cut.js';
import { optional, RejectedItem } from '../normalised.js';
import {
  boundedAttachments,
  boundedRaw,
  type Cuts,
  cutChars,
  firstOf,
  lastOf,
  MAIL_BOUNDS,
} from './bounds.js';
import { isoTime, isProviderTime, rawRef, type SesNormaliseContext } from './context.js';
import {
  headerContent,
  isAutoReply,
  isListMail,
  isMachineSender,
  isNullSender,
  isSentForAPerson,
  MAX_INLINE_MIME_BYTES,
  type MailContent,
  mailContent,
} from './mail-content.js';
import { splitQuoted } from './quoted.js';
import type { SesReceivedNotification } from './schema.js';

/** Longest `text` and `data.fullText`, in UTF-8 bytes: the envelope becomes a DynamoDB item (400 KB). */
export const MAX_TEXT_BYTES = 64 * 1024;
// Defined with the mail's bounds, which an agent's file read (mail-files.ts) bundles without this module.
export { MAX_INLINE_MIME_BYTES };

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

/** The inbound message of a `Received` notification; `mime` is its raw MIME, `parsed` that MIME read. */
export function receivedEnvelope(
  notification: SesReceivedNotification,
  ctx: SesNormaliseContext,
  mime: Uint8Array | undefined,
  parsed: ParsedMail | undefined,
): EnvelopeInput {
  const { mail, receipt } = notification;
  const content = parsed ? mailContent(parsed, mime) : headerContent(notification);

  const verdicts = verdictsOf(notification);
  const { address, formFor } = senderOf(notification, content, verdicts, ctx);
  refuseOwnMail(address, formFor, receipt.recipients);
  const customer: Identity = { kind: 'email', value: formFor ?? address };
  const account = receipt.recipients.map((r) => normaliseEmail(r)).find((r) => r !== undefined);

  const cuts: Cuts = new Set();
  const split = content.body ? splitQuoted(content.body, { subject: content.subject }) : undefined;
  // A mail of nothing but a quote has no text: it is a message of its files, or of nothing new.
  const text = split?.text ? capText(split.text) : undefined;
  const fullText = split?.quoted ? capText(split.full) : undefined;
  if (text?.truncated || fullText?.truncated) cuts.add('text');
  const fields = boundedFields(content, address, receipt.recipients, cuts);
  const { inReplyTo, references, replyTo, cc, to, recipients, subject, attachments } = fields;
  const s3 = sesS3LocationOf(notification);

  // The envelope keeps what SES said about the mail; the MIME itself only when it is small (large mail
  // is referenced by `data.s3`, or is gone: the SNS action keeps no copy). A notification whose headers
  // make it large keeps only SES's ids and verdicts: the headers are in the MIME.
  const { content: inline, ...rest } = notification;
  const whole =
    inline !== undefined && mime && mime.byteLength <= MAX_INLINE_MIME_BYTES ? notification : rest;
  const raw = boundedRaw(whole, notification, cuts);

  const data: Record<string, unknown> = {
    ...optional('subject', subject),
    ...optional('messageId', content.messageId),
    ...optional('inReplyTo', inReplyTo),
    ...(references.length > 0 ? { references } : {}),
    ...(replyTo.length > 0 ? { replyToAddresses: replyTo } : {}),
    ...(to.length > 0 ? { toAddresses: to } : {}),
    ...(cc.length > 0 ? { ccAddresses: cc } : {}),
    ...(formFor ? { formSender: address } : {}),
    // Our addresses it reached (SES's receipt names only ours), even one: which brand address was written to.
    ...(recipients.length > 0 ? { recipients: recipients.map((r) => r.toLowerCase()) } : {}),
    ...optional('fullText', fullText?.value),
    ...(cuts.size > 0 ? { truncated: true, truncatedFields: [...cuts].sort() } : {}),
    ...(content.attachmentsOmitted > 0 ? { attachmentsOmitted: content.attachmentsOmitted } : {}),
    ...automaticMarks(content, isNullSender(content, mail.source, address) || machineFrom(address, replyTo)),
    ...(Object.keys(verdicts.verdicts).length > 0 ? { verdicts: verdicts.verdicts } : {}),
    ...(verdicts.quarantined ? { quarantined: true } : {}),
    ...authenticationMarks(verdicts, address, notification.mail.source),
    ...optional('s3', s3),
    ...(mime ? { mimeBytes: mime.byteLength } : {}),
    ...(parsed ? {} : { bodyUnavailable: true }),
  };

  return {
    id: `ses:msg:${mail.messageId}`,
    provider: 'ses',
    channel: 'email',
    ...optional('account', account),
    occurredAt: isoTime(mail.timestamp, ctx.receivedAt),
    receivedAt: ctx.receivedAt,
    ...optional('providerTime', isProviderTime(mail.timestamp)),
    rawRef: rawRef(ctx, ''),
    raw,
    kind: 'message',
    direction: 'inbound',
    providerMessageId: mail.messageId,
    customer,
    ...optional(
      'profileName',
      headOf((formFor ? content.replyToName : content.from?.name)?.trim() ?? '', 256) || undefined,
    ),
    contentType: contentTypeOf(text?.value, attachments),
    ...optional('text', text?.value),
    attachments,
    data,
  };
}

/**
 * `autoReply` for machine-sent mail (no answer, no wait), a null sender's and a no-reply sender's
 * included (`machine`: a bounce, a read receipt, a shop's order mail); else `automated` for mail a
 * system sent for a person (`isSentForAPerson`: it waits for a person, never the AI); and `listMail`
 * when a list or newsletter sent it (List-* fields, `Precedence: list`), so a person can tell them apart.
 */
function automaticMarks(content: MailContent, machine: boolean): Record<string, true> {
  const autoReply = machine || isAutoReply(content);
  return {
    ...(autoReply ? { autoReply: true } : isSentForAPerson(content) ? { automated: true } : {}),
    ...(isListMail(content) ? { listMail: true } : {}),
  } as Record<string, true>;
}

/**
 * A From no person reads (no-reply, postmaster: `isMachineSender`) and no Reply-To to answer instead:
 * a contact form or a mailer that sends from a no-reply address and names the person in Reply-To (a
 * form sender the business did not name among EMAIL_FORM_SENDERS too) is answered there, as before.
 */
function machineFrom(address: string, replyTo: readonly string[]): boolean {
  return replyTo.length === 0 && isMachineSender(address);
}

/** The From address (the mail is refused without one), and the customer when the mail is a form's. */
function senderOf(
  notification: SesReceivedNotification,
  content: MailContent,
  verdicts: { dmarcPassed: boolean },
  ctx: SesNormaliseContext,
): { address: string; formFor: string | undefined } {
  const sender = content.from?.address ?? notification.mail.commonHeaders?.from?.[0];
  const address = sender ? normaliseEmail(sender) : undefined;
  if (!address) throw new RejectedItem('received email without a usable From address');
  return { address, formFor: formCustomerOf(address, content, verdicts, ctx.formSenders) };
}

/**
 * The customer of a form's mail: the first Reply-To address, when the From is one of the business's
 * form senders (EMAIL_FORM_SENDERS: the address or its `@domain`) and SES's DMARC check passed, so
 * the From is the mailer's own (SPF or DKIM aligned with its domain). Reply-To itself is never
 * authenticated: anything less (no DMARC record, a failed check, a sender not named) leaves the From
 * as the customer, and the Reply-To is a suggestion at most (the resolver's evidence).
 */
function formCustomerOf(
  from: string,
  content: MailContent,
  verdicts: { dmarcPassed: boolean },
  formSenders: readonly string[] | undefined,
): string | undefined {
  if (!verdicts.dmarcPassed || !isFormSender(from, formSenders)) return undefined;
  return content.replyTo.find((r) => r !== from);
}

/**
 * Refuses our own mail: From the address SES received it for (our reply come back, a test sent from
 * the support address to itself). It is no customer's, and answering it would answer ourselves, in a
 * loop. A form's mail from our address, named in EMAIL_FORM_SENDERS (`formFor`), is its Reply-To's.
 */
function refuseOwnMail(address: string, formFor: string | undefined, recipients: readonly string[]): void {
  if (!formFor && recipients.some((r) => normaliseEmail(r) === address)) {
    throw new RejectedItem('mail from the address it was received for: our own, not a customer');
  }
}

/** Whether `address` is one of `formSenders`: named whole, or by its `@domain`. */
export function isFormSender(address: string, formSenders: readonly string[] | undefined): boolean {
  if (!formSenders || formSenders.length === 0) return false;
  return formSenders.includes(address) || formSenders.includes(address.slice(address.lastIndexOf('@')));
}

/** The sender-controlled lists and strings of a mail, each within MAIL_BOUNDS; what was cut goes in `cuts`. */
function boundedFields(content: MailContent, address: string, receiptRecipients: string[], cuts: Cuts) {
  const [inReplyTo, ...otherParents] = content.inReplyTo;
  const allReferences = [...new Set([...content.references, ...otherParents])];
  const replyTo = content.replyTo.filter((r) => r !== address);
  // Who else the mail went to: not the sender, not our own addresses that received it.
  const ours = new Set(receiptRecipients.map((r) => r.toLowerCase()));
  const cc = [...new Set(content.cc)].filter((c) => c !== address && !ours.has(c));
  const to = [...new Set(content.to)].filter((c) => c !== address && !ours.has(c));
  if (content.attachmentsOmitted > 0) cuts.add('attachments');
  return {
    inReplyTo,
    // The newest References (the end of the header) are the ones threading looks up first.
    references: lastOf(allReferences, MAIL_BOUNDS.references, 'references', cuts),
    replyTo: firstOf(replyTo, MAIL_BOUNDS.replyTo, 'replyToAddresses', cuts),
    cc: firstOf(cc, MAIL_BOUNDS.cc, 'ccAddresses', cuts),
    to: firstOf(to, MAIL_BOUNDS.to, 'toAddresses', cuts),
    recipients: firstOf(receiptRecipients, MAIL_BOUNDS.recipients, 'recipients', cuts),
    subject: cutChars(content.subject, MAIL_BOUNDS.subjectChars, 'subject', cuts),
    attachments: boundedAttachments(content.attachments, cuts),
  };
}

/** The MIME an SNS action carried inline (base64 or UTF-8), if any. */
export function inlineMime(notification: SesReceivedNotification): Uint8Array | undefined {
  const { content, receipt } = notification;
  if (content === undefined) return undefined;
  return /^base64$/i.test(receipt.action.encoding ?? '')
    ? Buffer.from(content, 'base64')
    : Buffer.from(content, 'utf8');
}

function contentTypeOf(text: string | undefined, attachments: Attachment[]) {
  if (text !== undefined || attachments.length === 0) return 'text' as const;
  const first = attachments[0]?.kind;
  return first === 'image' || first === 'audio' || first === 'video' ? first : ('document' as const);
}

/**
 * The receipt's verdicts, and whether the mail is quarantined: spam or virus FAIL, or a DMARC failure
 * whose domain asks receivers to quarantine or reject (a spoofed From must not reach a customer's
 * timeline, where the AI would answer the impostor); and whether DMARC failed, or SPF and DKIM both
 * did, so that nothing vouches for the From address (the resolver then attaches the mail to no
 * existing customer).
 */
function verdictsOf(notification: SesReceivedNotification): {
  verdicts: Record<string, string>;
  quarantined: boolean;
  unauthenticated: boolean;
  dmarcPassed: boolean;
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
  return {
    verdicts,
    quarantined,
    unauthenticated: failed(verdicts.dmarc) || (failed(verdicts.spf) && failed(verdicts.dkim)),
    dmarcPassed: verdicts.dmarc?.toUpperCase() === 'PASS',
  };
}

/**
 * `authenticated: false` when nothing vouches for the From address (DMARC failed, or SPF and DKIM
 * both did: see `verdictsOf`), and `fromUnverified` saying why whenever the From is not vouched for.
 */
function authenticationMarks(
  verdicts: ReturnType<typeof verdictsOf>,
  from: string,
  source: string | undefined,
): Record<string, unknown> {
  return {
    ...(verdicts.unauthenticated ? { authenticated: false } : {}),
    ...optional('fromUnverified', fromCheck(verdicts, from, source)),
  };
}

/**
 * Why nothing vouches for the From address, or undefined when something does. SES's DMARC verdict is
 * the check of the From's own domain: `PASS` vouches (SPF or DKIM passed aligned with it), `FAIL`
 * says the From is not the sender's (`dmarc_fail`; the mail is unauthenticated). Without a verdict
 * (`GRAY`: no DMARC record; `PROCESSING_FAILED`; none) only an SPF pass for the envelope sender
 * (`mail.source`, the MAIL FROM SPF checked) in the From's domain vouches; SES's DKIM verdict does
 * not say which domain signed, so a DKIM pass alone does not (`not_aligned`).
 */
function fromCheck(
  verdicts: { verdicts: Record<string, string>; dmarcPassed: boolean },
  from: string,
  source: string | undefined,
): 'dmarc_fail' | 'not_aligned' | undefined {
  if (verdicts.dmarcPassed) return undefined;
  const status = (name: string) => verdicts.verdicts[name]?.toUpperCase();
  if (status('dmarc') === 'FAIL') return 'dmarc_fail';
  const sourceDomain = source?.slice(source.lastIndexOf('@') + 1).toLowerCase();
  const fromDomain = from.slice(from.lastIndexOf('@') + 1);
  if (status('spf') === 'PASS' && sourceDomain && aligned(sourceDomain, fromDomain)) return undefined;
  return 'not_aligned';
}

/**
 * Whether two domains are the same or one is under the other: DMARC's relaxed alignment (RFC 7489
 * §3.1.1) compares organizational domains, which needs the public suffix list; this is the part of
 * it that needs none, so it is never looser (sibling subdomains count as unaligned).
 */
function aligned(a: string, b: string): boolean {
  if (!a.includes('.') || !b.includes('.')) return false;
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

function sesS3LocationOf(notification: SesReceivedNotification): SesS3Location | undefined {
  const { action } = notification.receipt;
  return action.type === 'S3' && action.bucketName && action.objectKey
    ? { bucket: action.bucketName, key: action.objectKey }
    : undefined;
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
