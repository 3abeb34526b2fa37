import { randomUUID } from 'node:crypto';
import { domainToASCII } from 'node:url';
import {
  AccountSendingPausedException,
  ConfigurationSetDoesNotExistException,
  ConfigurationSetSendingPausedException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  type SESClient,
  SESServiceException,
  SendRawEmailCommand,
} from '@aws-sdk/client-ses';
import { CSAT_AUTHOR_ID } from '#shared/domain/csat/csat-ports.js';
import type { ChannelSender, OutboundMessage, SendResult } from '#shared/domain/outbound.js';
import { REPLY_KEY_TAG, replyKeyOf } from '#shared/domain/reply-key.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';
import { ValidationError } from '#shared/errors.js';
import { encodeBody } from './mime-body.js';
import { subjectOf, trimReferences } from './reply-headers.js';

const CRLF = '\r\n';
/** Where header lines are folded (RFC 5322 §2.1.1 asks for 78; 998 is the hard limit). */
const FOLD_AT = 78;
/** UTF-8 bytes per RFC 2047 encoded-word: 48 base64 characters, 60 with the `=?UTF-8?B?…?=` wrapper. */
const ENCODED_WORD_BYTES = 36;
/** Longest message id kept in In-Reply-To/References, so no header line nears the 998 limit. */
const MAX_MESSAGE_ID = 900;
/** A msg-id as we accept it from earlier mail: printable ASCII in angle brackets, no space or bracket. */
const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]+>$/;
/** An ASCII local part without the characters that would need quoting. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
/** Provider text kept in an error message, at most. */
const MAX_PROVIDER_TEXT = 300;

/** What buildRawEmail needs besides the message. */
export interface RawEmailOptions {
  /** SES_FROM_ADDRESS: `support@example.com` or `Example Support <support@example.com>`. */
  from: string;
  /** The right-hand side of our Message-ID; the From address's domain by default. */
  domain?: string | undefined;
  now: Date;
  /** The left-hand side of our Message-ID (a UUID). */
  messageIdFactory: () => string;
}

/** One email as SendRawEmail takes it. */
export interface RawEmail {
  /** The whole RFC 5322 message, CRLF line ends, 7-bit ASCII. */
  raw: Uint8Array;
  /** Our `<uuid@domain>` Message-ID, also placed last in References (see SesSender). */
  messageIdHeader: string;
  /** SMTP envelope addresses, domains in Punycode: SendRawEmail's `Source` and `Destinations`. */
  envelope: { from: string; to: string; cc: string[] };
}

/**
 * Builds a plain-text reply as raw MIME (providers.md §3.5): From, To, Cc (the thread's people), Subject (never empty; one `Re: `
 * when replying, RFC 2047 for non-ASCII), Date, our Message-ID, In-Reply-To and References (trimmed,
 * see trimReferences) for threading,
 * then a text/plain UTF-8 body, 7bit when it is plain ASCII and quoted-printable otherwise.
 * Attachments are listed as links under the text; nothing is fetched, so the URLs must stay readable
 * for as long as the customer may open the mail. Throws PermanentSendError for what cannot be sent.
 */
export function buildRawEmail(message: OutboundMessage, options: RawEmailOptions): RawEmail {
  if (message.channel !== 'email' || message.to.kind !== 'email') {
    throw new PermanentSendError(`SES sends email only, not ${message.channel}`, 'unsupported_channel');
  }
  const from = parseMailbox(options.from);
  if (!from) throw new PermanentSendError('the SES From address is not an email address', 'invalid_from');
  const to = asciiAddress(message.to.value.trim());
  if (!to) {
    throw new PermanentSendError("the customer's email address cannot be sent to", 'invalid_recipient');
  }
  // Mail to ourselves would come back as received mail: never a customer's, and a loop if answered.
  if (to.toLowerCase() === from.address.toLowerCase()) {
    throw new PermanentSendError('the reply is to our own address (SES_FROM_ADDRESS)', 'invalid_recipient');
  }
  const cc = copied(message, [to, from.address]);
  const text = bodyText(message);
  if (!text) throw new PermanentSendError('the reply has neither text nor attachments', 'empty_message');

  const domain = options.domain ? domainToASCII(options.domain.trim().toLowerCase()) : from.domain;
  if (!domain) throw new PermanentSendError('the Message-ID domain is not a domain name', 'invalid_from');
  const messageIdHeader = `<${options.messageIdFactory()}@${domain}>`;
  const inReplyTo = messageIdOf(message.email?.inReplyTo) ?? messageIdOf(message.replyTo);
  const references = trimReferences(
    unique([...(message.email?.references ?? []).map(messageIdOf), inReplyTo, messageIdHeader]),
  );
  const subject = subjectOf(message.email?.subject, inReplyTo !== undefined);
  const body = encodeBody(text);

  const headers = [
    field('From', from.name ? [...phrase(from.name), `<${from.address}>`] : [from.address]),
    `To: ${to}`,
    ...(cc.length > 0
      ? [
          field(
            'Cc',
            cc.map((address, i) => (i < cc.length - 1 ? `${address},` : address)),
          ),
        ]
      : []),
    field('Subject', words(subject)),
    `Date: ${rfc5322Date(options.now)}`,
    `Message-ID: ${messageIdHeader}`,
    ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`] : []),
    field('References', references),
    ...autoSubmitted(message, inReplyTo !== undefined),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    `Content-Transfer-Encoding: ${body.encoding}`,
  ];
  const mime = `${headers.join(CRLF)}${CRLF}${CRLF}${body.text}${CRLF}`;
  return {
    raw: new TextEncoder().encode(mime),
    messageIdHeader,
    envelope: { from: from.address, to, cc },
  };
}

/**
 * The reply's Cc (`email.cc`, chosen when it was queued: see copiedAddresses) as SMTP can take them:
 * each once, in Punycode, never the customer's `To` nor our own From (SES_FROM_ADDRESS); an address
 * that cannot go in an envelope is left out rather than failing the reply to the customer.
 */
function copied(message: OutboundMessage, left: readonly string[]): string[] {
  const seen = new Set(left.map((address) => address.toLowerCase()));
  const out: string[] = [];
  for (const value of message.email?.cc ?? []) {
    const address = asciiAddress(value.trim());
    if (!address || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    out.push(address);
  }
  return out;
}

/**
 * RFC 3834 §5: mail the AI or an automation writes says it is automatic, `auto-replied` when it
 * answers a message and `auto-generated` otherwise, so that the customer's own responders
 * (out-of-office, another helpdesk) do not answer it and start a loop. A survey answers no message:
 * the resolve sent it, though it goes in the thread of the customer's mail (In-Reply-To) to be found
 * beside it, so it is `auto-generated`. An agent's mail is a person's.
 */
function autoSubmitted(message: OutboundMessage, replying: boolean): string[] {
  if (message.author.kind !== 'ai') return [];
  const generated = !replying || message.author.id === CSAT_AUTHOR_ID;
  return [`Auto-Submitted: ${generated ? 'auto-generated' : 'auto-replied'}`];
}

/** The text, then the attachments as links; newlines as CRLF. */
function bodyText(message: OutboundMessage): string {
  const parts: string[] = [];
  if (message.text?.trim()) parts.push(message.text);
  if (message.attachments.length > 0) {
    const links = message.attachments.map((a) => {
      const name = a.filename?.replace(/\p{Cc}+/gu, ' ').trim();
      return `- ${name ? `${name}: ` : ''}${a.url}`;
    });
    parts.push(['Attachments:', ...links].join('\n'));
  }
  return parts.join('\n\n').replace(/\r\n|\r|\n/g, CRLF);
}

/** A header field whose tokens are folded onto continuation lines, never split. */
function field(name: string, tokens: readonly string[]): string {
  const lines: string[] = [];
  let line = `${name}:`;
  for (const token of tokens) {
    if (line.length > name.length + 1 && line.length + 1 + token.length > FOLD_AT) {
      lines.push(line);
      line = '';
    }
    line += ` ${token}`;
  }
  lines.push(line);
  return lines.join(CRLF);
}

/** Unstructured text as header tokens: its words when plain ASCII, else RFC 2047 encoded-words. */
function words(text: string): string[] {
  const tokens = text.split(' ');
  const plain = /^[\x20-\x7e]*$/.test(text) && !text.includes('=?') && tokens.every((t) => t.length <= 70);
  return plain ? tokens : encodedWords(text);
}

/** A display name: a quoted string when plain ASCII, else encoded-words (never inside quotes). */
function phrase(name: string): string[] {
  if (/^[\x20-\x7e]*$/.test(name) && !name.includes('=?') && name.length <= 70) {
    return [`"${name.replace(/[\\"]/g, '\\$&')}"`];
  }
  return encodedWords(name);
}

/** RFC 2047 B-encoded words of whole code points, each well under the 75-character limit. */
function encodedWords(text: string): string[] {
  const out: string[] = [];
  let chunk = '';
  let size = 0;
  for (const char of text) {
    const bytes = Buffer.byteLength(char, 'utf8');
    if (size + bytes > ENCODED_WORD_BYTES) {
      out.push(encodedWord(chunk));
      chunk = '';
      size = 0;
    }
    chunk += char;
    size += bytes;
  }
  if (chunk) out.push(encodedWord(chunk));
  return out;
}

function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** `Thu, 01 Jan 2026 12:00:00 +0000` (toUTCString's layout, with the numeric zone RFC 5322 prefers). */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** A parent's Message-ID as `<…>`, or undefined when it is not one we can put in a header safely. */
function messageIdOf(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const bracketed = trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
  return MESSAGE_ID.test(bracketed) && bracketed.length <= MAX_MESSAGE_ID ? bracketed : undefined;
}

function unique(ids: readonly (string | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

/** `addr` or `Name <addr>`, the address made ASCII (Punycode domain). */
function parseMailbox(value: string): { name?: string; address: string; domain: string } | undefined {
  const match = /^\s*(?:(.*?)\s*<([^<>\s]+)>|([^<>\s]+))\s*$/s.exec(value);
  const address = match ? asciiAddress(match[2] ?? match[3] ?? '') : undefined;
  if (!match || !address) return undefined;
  const name = match[1]
    ?.replace(/^"(.*)"$/s, '$1')
    .replace(/\\(.)/g, '$1')
    .replace(/\p{Cc}+/gu, ' ')
    .trim();
  return { ...(name ? { name } : {}), address, domain: address.slice(address.lastIndexOf('@') + 1) };
}

/** The address with its domain in Punycode; undefined when it could not go in an SMTP envelope. */
function asciiAddress(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  const domain = domainToASCII(address.slice(at + 1).toLowerCase());
  // A non-ASCII local part would need SMTPUTF8, which SendRawEmail's envelope cannot carry.
  if (!LOCAL_PART.test(local) || !domain.includes('.')) return undefined;
  return `${local}@${domain}`;
}

/** How SesSender reaches SES. */
export interface SesSenderOptions {
  client: SESClient;
  /** SES_FROM_ADDRESS: a verified address, optionally with a display name. */
  from: string;
  /** Publishes Bounce/Complaint/Delivery events through this configuration set. */
  configurationSet?: string | undefined;
  /** The right-hand side of SES's Message-ID when it is not the region's (see sesMessageIdHeader). */
  messageIdDomain?: string | undefined;
  now?: () => Date;
  messageIdFactory?: () => string;
}

/**
 * The Message-ID header SES gives a mail it sent, from the `MessageId` SendRawEmail answered and the
 * region the client sends in: `<MessageId@email.amazonses.com>` in us-east-1,
 * `<MessageId@<region>.amazonses.com>` elsewhere (providers.md §3.5; seen on mail SES sent). AWS does
 * not document the form as guaranteed: SES_MESSAGE_ID_DOMAIN names the domain when it differs.
 */
export function sesMessageIdHeader(messageId: string, region: string, domain?: string): string {
  const right =
    domain?.trim() || (region === 'us-east-1' ? 'email.amazonses.com' : `${region}.amazonses.com`);
  return `<${messageId}@${right}>`;
}

/**
 * Sends email replies with SendRawEmail, so we write In-Reply-To and References ourselves.
 *
 * Two ids come back. `providerMessageId` is SES's `MessageId`: Bounce, Complaint and Delivery
 * notifications carry it as `mail.messageId`, so delivery status finds the reply by it.
 * `messageIdHeader` is the Message-ID the customer's copy carries: SES overwrites any Message-ID we
 * write with its own (see sesMessageIdHeader), and the customer's answer names that one in
 * In-Reply-To, so the thread is linked under it and the answer finds its conversation in one read.
 * Our own `<uuid@our domain>` still goes in the mail's Message-ID and References (SES leaves
 * References alone); replies sent before this version were linked under it, and an answer to one of
 * them finds it there, one read later.
 */
export class SesSender implements ChannelSender {
  readonly #client: SESClient;
  readonly #from: string;
  readonly #configurationSet: string | undefined;
  readonly #messageIdDomain: string | undefined;
  readonly #now: () => Date;
  readonly #messageIdFactory: () => string;

  constructor(options: SesSenderOptions) {
    if (!parseMailbox(options.from)) throw new ValidationError('SES_FROM_ADDRESS is not an email address');
    this.#client = options.client;
    this.#from = options.from;
    this.#configurationSet = options.configurationSet;
    this.#messageIdDomain = options.messageIdDomain;
    this.#now = options.now ?? (() => new Date());
    this.#messageIdFactory = options.messageIdFactory ?? randomUUID;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const email = buildRawEmail(message, {
      from: this.#from,
      now: this.#now(),
      messageIdFactory: this.#messageIdFactory,
    });
    // The configuration set's events carry the send's tags back: the reply's key rides on one.
    const key = this.#configurationSet ? replyKeyOf(message) : undefined;
    // Read before the send: nothing may fail between SES's answer and our recording it.
    const region = await this.#client.config.region();
    let messageId: string | undefined;
    try {
      const out = await this.#client.send(
        new SendRawEmailCommand({
          Source: email.envelope.from,
          Destinations: [email.envelope.to, ...email.envelope.cc],
          RawMessage: { Data: email.raw },
          ...(this.#configurationSet ? { ConfigurationSetName: this.#configurationSet } : {}),
          ...(key ? { Tags: [{ Name: REPLY_KEY_TAG, Value: key }] } : {}),
        }),
      );
      messageId = out.MessageId;
    } catch (error) {
      throw sesSendError(error);
    }
    // SES may have accepted the mail: failing for good avoids emailing the customer twice.
    if (!messageId) throw new PermanentSendError('SES answered without a MessageId', 'invalid_response');
    return {
      providerMessageId: messageId,
      messageIdHeader: sesMessageIdHeader(messageId, region, this.#messageIdDomain),
      ...(key ? { keyEchoed: true } : {}),
    };
  }
}

/** SES throttling: the Query protocol's `Throttling` has no modelled class, so only its name tells. */
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);

/** SES or IAM refusing the function's own credentials: every email fails alike until they are fixed. */
const NOT_AUTHORISED = new Set(['AccessDenied', 'AccessDeniedException', 'InvalidClientTokenId']);
for (const name of ['UnrecognizedClientException', 'SignatureDoesNotMatch', 'ExpiredToken'])
  NOT_AUTHORISED.add(name);

/** An SES SDK error as a send error: refusals permanent, of our account retried; throttling, 5xx, network too. */
function sesSendError(error: unknown): Error {
  const permanent = (text: string, code: string) => new PermanentSendError(text, code, { cause: error });
  if (error instanceof MessageRejected) {
    return permanent(`SES rejected the email: ${clip(error.message)}`, 'MessageRejected');
  }
  if (error instanceof MailFromDomainNotVerifiedException) {
    return permanent('the custom MAIL FROM domain of the SES From address is not verified', error.name);
  }
  if (error instanceof ConfigurationSetDoesNotExistException) {
    return permanent('the SES configuration set does not exist', error.name);
  }
  const refused = (text: string, code: string) => new CredentialsRefusedError(text, code, { cause: error });
  if (
    error instanceof ConfigurationSetSendingPausedException ||
    error instanceof AccountSendingPausedException
  ) {
    const what =
      error instanceof AccountSendingPausedException ? 'the whole SES account' : 'the SES configuration set';
    return refused(`sending is paused for ${what}: see the SES console`, error.name);
  }
  if (error instanceof SESServiceException) {
    if (NOT_AUTHORISED.has(error.name))
      return refused(`SES refused our credentials (${error.name})`, error.name);
    const status = error.$metadata.httpStatusCode ?? 0;
    if (THROTTLING.has(error.name) || error.$retryable || error.$fault === 'server' || status >= 500) {
      return new RetryableSendError(`SES is throttling or unavailable (${error.name}); retry later`, {
        cause: error,
      });
    }
    return permanent(`SES refused the email (${error.name}): ${clip(error.message)}`, error.name);
  }
  // Not an answer from SES: a network failure, a timeout or credentials that could not be loaded.
  const name = error instanceof Error ? error.name : 'unknown error';
  return new RetryableSendError(`SES could not be reached: ${name}`, { cause: error });
}

function clip(text: string): string {
  return text.length > MAX_PROVIDER_TEXT ? `${text.slice(0, MAX_PROVIDER_TEXT)}…` : text;
}
