import {
  type AddressObject,
  type Attachment as MailAttachment,
  type MailParserOptions,
  type ParsedMail,
  simpleParser,
} from 'mailparser';
import { normaliseEmail } from '#shared/domain/addresses.js';
import type { Attachment } from '#shared/domain/envelope.js';
import { optional } from '../optional.js';
import { MAX_ATTACHMENTS, MAX_INLINE_MIME_BYTES } from './bounds.js';
import { type CharsetDecoder, relabelledMime, sniffingDecoder } from './charsets.js';
import { bodyOf, cutAtBoundary, multipartBoundaries } from './mail-body.js';
import type { SesReceivedNotification } from './schema.js';

// Defined with the mail's other bounds, which an agent's file read (mail-files.ts) takes without this module.
export { MAX_ATTACHMENTS, MAX_INLINE_MIME_BYTES };

/** What the MIME says, or what SES's own header parse says when there is no MIME to read. */
export interface MailContent {
  from?: { address: string; name?: string | undefined } | undefined;
  replyTo: string[];
  /** The Cc addresses, in header order: who else the sender wrote to (kept for agents to see). */
  cc: string[];
  /** The To addresses, in header order (ours among them: the receiver drops those). */
  to: string[];
  /** The display name of the first Reply-To address, when the MIME gives one. */
  replyToName?: string | undefined;
  subject?: string | undefined;
  messageId?: string | undefined;
  inReplyTo: string[];
  references: string[];
  /** The body as plain text: the text part, else (or when the text part only points at it) the HTML turned to text. */
  body?: string | undefined;
  attachments: Attachment[];
  attachmentsOmitted: number;
  header: (name: string) => string | undefined;
  /** The names of the header fields, lower-cased (mailparser folds the List-* fields into one object). */
  fieldNames: ReadonlySet<string>;
  contentType?: string | undefined;
  /** The Return-Path the receiving server wrote is `<>`: the mail came with a null reverse-path. */
  nullReturnPath: boolean;
}

/**
 * The MIME read by mailparser, or undefined when it cannot be read. A mail whose text, subject or
 * sender's name reads with U+FFFD (bytes that are not UTF-8 under a UTF-8 or US-ASCII label, or under
 * none) is read again, those parts and words in `fallbackCharset` (EMAIL_FALLBACK_CHARSET, Windows-1252
 * unset) when they are not UTF-8, an HTML part under no label in its `<meta>` charset first (see
 * charsets.ts).
 */
export async function parseMime(
  mime: Uint8Array,
  options: { fallbackCharset?: string | undefined } = {},
): Promise<ParsedMail | undefined> {
  const parsed = await readMime(mime);
  if (!parsed || !hasReplacementCharacter(parsed)) return parsed;
  const relabelled = relabelledMime(mime, options.fallbackCharset);
  return (relabelled && (await readMime(relabelled, sniffingDecoder(options.fallbackCharset)))) || parsed;
}

async function readMime(mime: Uint8Array, Iconv?: CharsetDecoder): Promise<ParsedMail | undefined> {
  try {
    return await simpleParser(Buffer.from(mime.buffer, mime.byteOffset, mime.byteLength), {
      // The HTML part is turned to text below, with our options; links and data: URIs are not needed.
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      // mailparser calls `new Iconv(charset, 'UTF-8')`; its types say an iconv-lite stream.
      ...(Iconv ? { Iconv: Iconv as unknown as MailParserOptions['Iconv'] } : {}),
    });
  } catch {
    // Unreadable MIME: the envelope is built from SES's header parse and says the body is unavailable.
    return undefined;
  }
}

/** Whether what an agent reads of the mail (text, HTML, subject, names) holds U+FFFD. */
function hasReplacementCharacter(mail: ParsedMail): boolean {
  const names = [...addresses(mail.from), ...addresses(mail.replyTo)].map((a) => a.name ?? '');
  const html = typeof mail.html === 'string' ? mail.html : '';
  return [mail.text ?? '', html, mail.subject ?? '', ...names].some((value) => value.includes('\uFFFD'));
}

/**
 * What the parsed MIME says: addresses, subject, threading ids, the body as text, attachments. `mime`
 * is the raw message, read for its multipart boundaries (see `cutAtBoundary`).
 */
export function mailContent(mail: ParsedMail, mime?: Uint8Array): MailContent {
  const from = addresses(mail.from)[0];
  const replyTo = addresses(mail.replyTo);
  const listed = mail.attachments.slice(0, MAX_ATTACHMENTS).map(attachmentOf);
  const text = mail.text && mime ? cutAtBoundary(mail.text, multipartBoundaries(mime)) : mail.text;
  const plain = text?.trim() ? text : undefined;
  const html = typeof mail.html === 'string' && mail.html.trim() ? mail.html : undefined;
  return {
    ...optional('from', from),
    replyTo: replyTo.map((a) => normaliseEmail(a.address)).filter((a) => a !== undefined),
    cc: addresses(mail.cc)
      .map((a) => normaliseEmail(a.address))
      .filter((a) => a !== undefined),
    to: addresses(mail.to)
      .map((a) => normaliseEmail(a.address))
      .filter((a) => a !== undefined),
    ...optional('replyToName', replyTo[0]?.name),
    ...optional('subject', mail.subject?.trim() || undefined),
    ...optional('messageId', usableId(mail.messageId)),
    inReplyTo: messageIds(mail.inReplyTo),
    references: messageIds(mail.references),
    ...optional('body', bodyOf(plain, html)),
    attachments: listed,
    attachmentsOmitted: mail.attachments.length - listed.length,
    header: (name) => headerText(mail.headers.get(name)),
    fieldNames: new Set(mail.headerLines.map((line) => line.key.toLowerCase())),
    ...optional('contentType', headerText(mail.headers.get('content-type'))),
    // mailparser reads Return-Path as an address and loses `<>`: its raw line says it.
    nullReturnPath: isNullPath(
      mail.headerLines.find((line) => line.key.toLowerCase() === 'return-path')?.line.replace(/^[^:]*:/, ''),
    ),
  };
}

/** The headers-only view, from SES's own parse: used when there is no MIME (Lambda action, unreadable). */
export function headerContent(notification: SesReceivedNotification): MailContent {
  const { mail } = notification;
  const common = mail.commonHeaders;
  const header = (name: string) =>
    mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
  const from = common?.from?.[0];
  const fromAddress = from ? normaliseEmail(from) : undefined;
  const displayName = fromAddress && from ? displayNameOf(from) : undefined;
  return {
    ...(fromAddress ? { from: { address: fromAddress, name: displayName || undefined } } : {}),
    replyTo: (common?.replyTo ?? []).map((a) => normaliseEmail(a)).filter((a) => a !== undefined),
    cc: (common?.cc ?? []).map((a) => normaliseEmail(a)).filter((a) => a !== undefined),
    to: (common?.to ?? []).map((a) => normaliseEmail(a)).filter((a) => a !== undefined),
    ...optional('subject', common?.subject?.trim() || undefined),
    ...optional('messageId', usableId(common?.messageId)),
    inReplyTo: messageIds(header('in-reply-to')),
    references: messageIds(header('references')),
    attachments: [],
    attachmentsOmitted: 0,
    header,
    fieldNames: new Set((mail.headers ?? []).map((h) => h.name.toLowerCase())),
    ...optional('contentType', header('content-type')),
    nullReturnPath: isNullPath(header('return-path')),
  };
}

/** Longest header line RFC 5322 allows: a longer From keeps its address (if any) but no display name. */
const MAX_HEADER_LINE_CHARS = 998;

/** `Jane Doe` of `"Jane Doe" <jane@example.com>`, read only from a From header of one line's length. */
function displayNameOf(from: string): string | undefined {
  if (from.length > MAX_HEADER_LINE_CHARS) return undefined;
  return from
    .replace(/<[^<>]*>\s*$/, '')
    .trim()
    .replace(/^"|"$/g, '')
    .trim();
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
  const joined = newestIdText((Array.isArray(value) ? value : value ? [value] : []).join(' '));
  const bracketed = joined.match(/<[^<>\s]+>/g);
  const ids = bracketed ?? joined.split(/[\s,]+/).filter((word) => word.length > 0);
  return unique(ids.filter(isUsableId));
}

/**
 * How much of a References or In-Reply-To header is read: far more than the ids kept (MAIL_BOUNDS:
 * 20 References of at most 998 bytes), so that the patterns below run on bounded text.
 */
export const MAX_ID_HEADER_CHARS = 64 * 1024;

/** The end of an id header (the newest References), from the first whole word within the bound. */
function newestIdText(joined: string): string {
  if (joined.length <= MAX_ID_HEADER_CHARS) return joined;
  const tail = joined.slice(joined.length - MAX_ID_HEADER_CHARS);
  const space = tail.search(/[\s,]/);
  return space < 0 ? '' : tail.slice(space + 1);
}

/** An id short enough to be a DynamoDB key (thread links key on it): at most 998 UTF-8 bytes, as RFC 5322 lines. */
function isUsableId(id: string): boolean {
  return id.length <= 998 && Buffer.byteLength(id, 'utf8') <= 998;
}

/** A Message-ID header, trimmed, or undefined when it is empty or too long to key on. */
function usableId(value: string | undefined): string | undefined {
  const id = value?.trim();
  return id && isUsableId(id) ? id : undefined;
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

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return headerText(value[0]);
  if (typeof value === 'object' && value !== null && 'value' in value && typeof value.value === 'string') {
    return value.value;
  }
  return undefined;
}

/** `<>` (spaces allowed): the null reverse-path of RFC 5321 §4.5.5, as a Return-Path or SES's `mail.source`. */
export function isNullPath(value: string | undefined): boolean {
  return value !== undefined && /^\s*(?:<\s*>)?\s*$/.test(value.slice(0, 64)) && value.length <= 64;
}

/**
 * Mail sent with a null reverse-path (`MAIL FROM:<>`): a bounce, a read receipt, an auto-reply that
 * wants no answer; RFC 3834 §2 says never to answer it. SES gives the envelope sender as `mail.source`
 * (empty or `<>`), the receiving server writes it as `Return-Path: <>`; and a From of MAILER-DAEMON
 * sends nothing but bounces (qmail's and others' plain-text ones mark nothing else).
 */
export function isNullSender(content: MailContent, source: string | undefined, from: string): boolean {
  if (content.nullReturnPath || (source !== undefined && isNullPath(source))) return true;
  return from.slice(0, from.lastIndexOf('@')) === 'mailer-daemon';
}

/**
 * The local part of a sender no person reads: a no-reply address (`noreply`, `no-reply`,
 * `do-not-reply`, `donotreply`, with a `-`/`+`/`.` tail such as `noreply+orders`), MAILER-DAEMON or
 * postmaster. The address is lower-cased; a local part is at most 64 characters, checked first.
 */
const MACHINE_LOCAL_PART =
  /^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster)(?:[-_.+][a-z0-9._+-]{0,60})?$/;

/** Whether a (lower-cased) From address is a machine's: an answer to it reaches nobody (see MACHINE_LOCAL_PART). */
export function isMachineSender(from: string): boolean {
  const local = from.slice(0, Math.max(0, from.lastIndexOf('@')));
  return local.length <= 64 && MACHINE_LOCAL_PART.test(local);
}

const AUTO_PRECEDENCE = new Set(['junk', 'auto_reply']);

/**
 * Mail a machine answered with, which must not start a conversation with a human or the AI: RFC 3834
 * `Auto-Submitted` other than `no` and `auto-generated` (`auto-replied`: an out-of-office, a vacation
 * notice; `auto-notified`), the vendor `X-Autoreply`/`X-Autorespond` headers, `Precedence:
 * junk|auto_reply` and delivery reports (`multipart/report`). What a system sends for a person (a
 * ticketing system's comment: `auto-generated`, `Precedence: bulk`; a group mailbox's list mail) is
 * `isSentForAPerson` instead.
 */
export function isAutoReply(content: MailContent): boolean {
  const value = (name: string) => headerValue(content, name);
  const autoSubmitted = value('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no' && autoSubmitted !== 'auto-generated') return true;
  for (const name of ['x-autoreply', 'x-autorespond']) {
    const flag = value(name);
    if (flag && flag !== 'no') return true;
  }
  // Not `X-Auto-Response-Suppress`: it asks that nothing answer the mail automatically, and Exchange
  // writes it on a person's mail too (sent to a distribution list); helpdesks that read it as
  // automatic dropped such mail (osTicket, GLPI, sisimai took it out).
  if (AUTO_PRECEDENCE.has(value('precedence') ?? '')) return true;
  // An out-of-office marked only `auto-generated` or `bulk` (older vacation programs) says so in its subject.
  const marked = autoSubmitted === 'auto-generated' || value('precedence') === 'bulk';
  if (marked && isOutOfOfficeSubject(content.subject)) return true;
  return content.contentType?.toLowerCase().startsWith('multipart/report') ?? false;
}

/** How out-of-office notices begin their subject (Outlook's, Gmail's, vacation programs', a few languages). */
const OUT_OF_OFFICE_SUBJECTS = [
  'automatic reply',
  'auto reply',
  'auto-reply',
  'autoreply',
  'out of office',
  'out of the office',
  'abwesenheitsnotiz',
  'réponse automatique',
  'respuesta automática',
];

/** Whether a subject starts as an out-of-office notice's does (its first 40 characters, lower-cased). */
function isOutOfOfficeSubject(subject: string | undefined): boolean {
  const start = (subject ?? '').slice(0, 40).trimStart().toLowerCase();
  return OUT_OF_OFFICE_SUBJECTS.some((prefix) => start.startsWith(prefix));
}

/**
 * Mail a system sent, possibly with a person's words in it: `Auto-Submitted: auto-generated`,
 * `Precedence: bulk` (a customer's Jira or ServiceNow relaying a comment) or list mail (`isListMail`: a
 * group mailbox). It waits for a person; the AI never answers it (an answer to a machine may loop).
 */
export function isSentForAPerson(content: MailContent): boolean {
  if (headerValue(content, 'auto-submitted') === 'auto-generated') return true;
  if (headerValue(content, 'precedence') === 'bulk') return true;
  return isListMail(content);
}

/** The fields a mailing list or a newsletter adds to what it sends: RFC 2919 `List-Id`, RFC 2369's six. */
const LIST_FIELDS = [
  'list-id',
  'list-help',
  'list-subscribe',
  'list-unsubscribe',
  'list-post',
  'list-owner',
  'list-archive',
];

/**
 * Mail a list or a newsletter sent to many (any List-* field, or `Precedence: list`): an answer
 * would go to the list or a no-reply sender, so it is kept for a person and never answered by the AI.
 * A person's mail client writes none of these fields.
 */
export function isListMail(content: MailContent): boolean {
  if (headerValue(content, 'precedence') === 'list') return true;
  return LIST_FIELDS.some((name) => content.fieldNames.has(name));
}

/** A header's first value before any `;`, trimmed and lower-cased. */
function headerValue(content: MailContent, name: string): string | undefined {
  return content.header(name)?.split(';')[0]?.trim().toLowerCase();
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
