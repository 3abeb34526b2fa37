import type {
  Attachment,
  Channel,
  DeliveryStatus,
  Envelope,
  MessageEnvelopeInput,
  ProviderError,
} from '#shared/domain/envelope.js';
import { decodeReplyKey } from '#shared/domain/reply-key.js';
import { headOf } from '#shared/domain/text-cut.js';
import { whatsappKeyword } from '#shared/domain/whatsapp-opt-out.js';
import { ValidationError } from '#shared/errors.js';
import { hot } from '#shared/validation/hot.js';
import { hasVisibleText } from '#shared/validation/visible-text.js';
import { type BodyContext, optional, phoneIdentity, uniqueIdentities } from '../normalised.js';
import { twilioStatusHint } from './error-codes.js';
import {
  accountOf,
  addressIdentity,
  base,
  bsuidIdentity,
  channelOf,
  isWhatsAppAddress,
  nonBlank,
  parseParams,
  validated,
} from './params.js';
import {
  type TwilioMessageParams,
  TwilioMessageParamsSchema,
  type TwilioMessageStatus,
  TwilioMessageStatusSchema,
  TwilioOptOutTypeSchema,
  TwilioStatusParamsSchema,
} from './schema.js';

// What every request parses, compiled once the function is warm.
const MessageParams = hot(TwilioMessageParamsSchema);
const StatusParams = hot(TwilioStatusParamsSchema);
const MessageStatus = hot(TwilioMessageStatusSchema);

/** An opt-out keyword's meaning, recorded in the message's `data.optOut`. */
export type TwilioOptOut = 'stop' | 'start' | 'help';

/**
 * Twilio's default keywords (help.twilio.com "Twilio support for opt-out keywords"): STOP, STOPALL,
 * UNSUBSCRIBE, CANCEL, END, QUIT, plus REVOKE and OPTOUT in Twilio's current list, block the sender;
 * START, YES, UNSTOP lift the block; HELP, INFO ask for help. Only a message that is the keyword alone
 * counts (case-insensitive; "STOP PLEASE" does not), and only on SMS/MMS: Twilio does not filter WhatsApp.
 */
const OPT_OUT_KEYWORDS: ReadonlyMap<string, TwilioOptOut> = new Map([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'].map(
    (word) => [word, 'stop'] as const,
  ),
  ...['START', 'YES', 'UNSTOP'].map((word) => [word, 'start'] as const),
  ...['HELP', 'INFO'].map((word) => [word, 'help'] as const),
]);

/**
 * Where each message status leads. `canceled` (a scheduled message withdrawn) is a failure with a reason;
 * `partially_delivered` proves only that the message left, so it is `sent` and a later `delivered` or
 * `undelivered` still applies; `receiving`/`received` describe inbound messages, not ours.
 */
const MESSAGE_STATUS: Record<TwilioMessageStatus, DeliveryStatus | undefined> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sent',
  sent: 'sent',
  partially_delivered: 'sent',
  delivered: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
  read: 'read',
  receiving: undefined,
  received: undefined,
};

/**
 * Why an inbound message from Twilio is skipped rather than queued: its sender is a machine no one
 * can answer (`sender`: a short code such as `72345`, or an alphanumeric sender id such as `AMAZON` or `H&M`;
 * never a person, and Twilio cannot send to it), or it carries nothing (`empty`: no text, media,
 * location or button). Twilio keeps such a message in its own Messaging logs; answering it 4xx would
 * only raise a Debugger alert (11200), as Twilio never retries a messaging webhook's 4xx.
 */
export type TwilioSkip = { reason: 'sender'; sender: 'short_code' | 'alphanumeric' } | { reason: 'empty' };

/** An inbound message's envelope, or why none is queued (see TwilioSkip). */
export type TwilioInbound =
  | { envelopes: Envelope[]; skipped?: undefined }
  | { envelopes: []; skipped: TwilioSkip };

// Short codes are 3 to 8 digits; alphanumeric sender ids up to 11 of the characters Twilio takes in
// one (letters, digits, space, `+`, `-`, `_`, `&`: `H&M`, `DHL_Express`), a letter among them.
const SHORT_CODE = /^\+?\d{3,8}$/;
const SENDER_ID = /^[A-Za-z0-9 +&_-]{1,11}$/;
const LETTER = /[A-Za-z]/;

/**
 * Turns an inbound SMS, MMS or WhatsApp message (Twilio's Messaging webhook) into one `message`
 * envelope, or says why it is skipped (TwilioSkip). The customer is the `From` phone in E.164, the
 * same identity WhatsApp Cloud gives the same number, or a WhatsApp BSUID. Opt-out keywords stay
 * ordinary messages and add `data.optOut`. Throws ValidationError when the parameters are not a
 * message, or the sender is none of these and no machine sender either.
 */
export function readTwilioMessage(params: Record<string, string>, ctx: BodyContext): TwilioInbound {
  const message = parseParams(MessageParams, params, 'message');
  const sid = message.MessageSid ?? message.SmsMessageSid ?? message.SmsSid ?? '';
  const channel = channelOf(message.From);
  const [customer, ...alsoKnownAs] = uniqueIdentities([
    addressIdentity(message.From),
    phoneIdentity(message.WaId, { international: true }),
    bsuidIdentity(message.ExternalUserId),
    bsuidIdentity(message.ParentExternalUserId),
  ]);
  if (!customer) {
    const sender = machineSender(message.From);
    if (!sender) throw new ValidationError('From is neither a phone number nor a WhatsApp user id');
    return { envelopes: [], skipped: { reason: 'sender', sender } };
  }

  const content = messageContent(message, params);
  if (isEmpty(content, message)) return { envelopes: [], skipped: { reason: 'empty' } };
  const optOut = optOutOf(message, channel);
  const data = {
    ...content.data,
    ...optional('optOut', optOut),
    ...optional('username', nonBlank(message.ProfileUsername)),
    ...(message.Forwarded === 'true' ? { forwarded: true } : {}),
    ...(message.FrequentlyForwarded === 'true' ? { frequentlyForwarded: true } : {}),
    ...optional('referral', referralOf(params)),
  };
  const envelope = validated({
    id: `twilio:msg:${sid}`,
    ...base(ctx, channel, params, accountOf(message.To)),
    kind: 'message',
    direction: 'inbound',
    providerMessageId: sid,
    customer,
    alsoKnownAs,
    ...optional('profileName', headOf(nonBlank(message.ProfileName) ?? '', 256) || undefined),
    contentType: content.contentType,
    ...optional('text', content.text),
    attachments: content.attachments,
    ...optional('replyTo', nonBlank(message.OriginalRepliedMessageSid)),
    ...(Object.keys(data).length > 0 ? { data } : {}),
  });
  return { envelopes: [envelope] };
}

/** `readTwilioMessage`'s envelopes: none for a message it skips. */
export function normaliseTwilioMessage(params: Record<string, string>, ctx: BodyContext): Envelope[] {
  return readTwilioMessage(params, ctx).envelopes;
}

/** The kind of machine sender a From that is no phone and no WhatsApp user is, if it is one. */
function machineSender(from: string): 'short_code' | 'alphanumeric' | undefined {
  const trimmed = from.trim();
  if (trimmed.length > 16) return undefined;
  if (SHORT_CODE.test(trimmed)) return 'short_code';
  return SENDER_ID.test(trimmed) && LETTER.test(trimmed) ? 'alphanumeric' : undefined;
}

/**
 * A message with no text, media, location or button: an empty SMS (Body="", NumMedia=0). A WhatsApp
 * message of a type Twilio does not pass on (`MessageType` sticker, unsupported...) is kept: the
 * customer did send something.
 */
function isEmpty(content: MessageContent, message: TwilioMessageParams): boolean {
  return (
    content.contentType === 'unsupported' &&
    (message.MessageType === undefined || message.MessageType === 'text')
  );
}

/**
 * Turns a message status callback into a `status` envelope, one per (message, raw status): Twilio's
 * order is not guaranteed, and the resolver only ever moves a status forward. The customer is `To`;
 * the raw status stays in `raw`; `replyKey`, from the callback URL we gave, when it is one of ours.
 * `receiving`/`received` yield nothing. Throws ValidationError for
 * parameters that are not a status callback, or a status Twilio does not document.
 */
export function normaliseTwilioStatus(
  params: Record<string, string>,
  ctx: BodyContext,
  replyKey?: string,
): Envelope[] {
  const callback = parseParams(StatusParams, params, 'status callback');
  const sid = callback.MessageSid ?? callback.SmsSid ?? '';
  const rawStatus = parseParams(MessageStatus, callback.MessageStatus ?? callback.SmsStatus, 'status');
  const status = MESSAGE_STATUS[rawStatus];
  if (status === undefined) return [];
  const errors: ProviderError[] = [];
  const code = nonBlank(callback.ErrorCode);
  if (code) {
    errors.push({
      code,
      ...optional('message', nonBlank(callback.ErrorMessage) ?? nonBlank(callback.ChannelStatusMessage)),
      ...optional('hint', twilioStatusHint(code)),
    });
  } else if (rawStatus === 'canceled') {
    errors.push({ code: 'canceled', message: 'the message was canceled before it was sent' });
  }
  const whatsapp = isWhatsAppAddress(callback.From) || isWhatsAppAddress(callback.To);
  return [
    validated({
      id: `twilio:status:${sid}:${rawStatus}`,
      ...base(ctx, whatsapp ? 'whatsapp' : 'sms', params, accountOf(callback.From)),
      kind: 'status',
      providerMessageId: sid,
      status,
      ...optional('customer', addressIdentity(callback.To)),
      ...(errors.length > 0 ? { errors } : {}),
      ...(decodeReplyKey(replyKey) ? { replyKey } : {}),
    }),
  ];
}

type MessageContent = Pick<MessageEnvelopeInput, 'contentType' | 'text' | 'data'> & {
  attachments: Attachment[];
};

function messageContent(message: TwilioMessageParams, params: Record<string, string>): MessageContent {
  // Control characters (NUL is seen in real bodies) are taken out as the envelope is parsed (cleanText).
  const text = visible(message.Body);
  const latitude = coordinate(message.Latitude);
  const longitude = coordinate(message.Longitude);
  if (latitude !== undefined && longitude !== undefined) {
    const name = nonBlank(message.Label);
    const address = nonBlank(message.Address);
    const label = [name, address].filter((part) => part !== undefined).join(', ');
    return {
      contentType: 'location',
      text: text ?? (label || `${latitude}, ${longitude}`),
      attachments: [],
      data: { location: { latitude, longitude, ...optional('name', name), ...optional('address', address) } },
    };
  }
  const button = nonBlank(message.ButtonText);
  if (button !== undefined) {
    return {
      contentType: 'button',
      text: button,
      attachments: [],
      data: { button: { text: button, ...optional('payload', nonBlank(message.ButtonPayload)) } },
    };
  }
  const attachments = mediaOf(params);
  const first = attachments[0];
  if (first) {
    return {
      contentType: first.kind === 'file' ? 'document' : first.kind,
      ...optional('text', text),
      attachments,
    };
  }
  if (text !== undefined) return { contentType: 'text', text, attachments: [] };
  return {
    contentType: 'unsupported',
    attachments: [],
    ...(message.MessageType ? { data: { unsupportedType: message.MessageType } } : {}),
  };
}

const MEDIA_URL = /^MediaUrl(\d{1,2})$/;

/** `MediaUrl{N}` with `MediaContentType{N}`, N zero-based, in order; NumMedia is not always sent. */
function mediaOf(params: Record<string, string>): Attachment[] {
  const indexes = Object.keys(params)
    .map((name) => MEDIA_URL.exec(name)?.[1])
    .filter((index) => index !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return indexes.flatMap((index) => {
    const url = nonBlank(params[`MediaUrl${index}`]);
    if (!url) return [];
    const mimeType = nonBlank(params[`MediaContentType${index}`]);
    // `…/Messages/MM…/Media/ME…`: the media SID is the URL's last segment.
    const mediaId = /\/Media\/(ME[0-9a-zA-Z]+)$/.exec(url)?.[1];
    return [
      { kind: mediaKind(mimeType), url, ...optional('mimeType', mimeType), ...optional('mediaId', mediaId) },
    ];
  });
}

function mediaKind(mimeType: string | undefined): Attachment['kind'] {
  const type = mimeType?.split('/', 1)[0]?.toLowerCase();
  if (type === 'image' || type === 'audio' || type === 'video') return type;
  return mimeType ? 'document' : 'file';
}

const REFERRAL_PREFIX = 'Referral';

/** Click-to-WhatsApp ad parameters (`ReferralCtwaClid`, `ReferralSourceUrl`…) as `{ctwaClid, sourceUrl…}`. */
function referralOf(params: Record<string, string>): Record<string, string> | undefined {
  const entries = Object.entries(params)
    .filter(
      ([name, value]) => name.startsWith(REFERRAL_PREFIX) && name.length > REFERRAL_PREFIX.length && value,
    )
    .map(([name, value]) => {
      const key = name.slice(REFERRAL_PREFIX.length);
      return [`${key.charAt(0).toLowerCase()}${key.slice(1)}`, value] as const;
    });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function optOutOf(message: TwilioMessageParams, channel: Channel): TwilioOptOut | undefined {
  if (message.OptOutType !== undefined) {
    const type = TwilioOptOutTypeSchema.safeParse(message.OptOutType);
    if (type.success) return type.data.toLowerCase() as TwilioOptOut;
  }
  // WhatsApp through Twilio: Threadline's own keywords (Twilio does not filter WhatsApp).
  if (channel === 'whatsapp') return whatsappKeyword(message.Body);
  if (channel !== 'sms' || message.Body === undefined) return undefined;
  return OPT_OUT_KEYWORDS.get(message.Body.trim().toUpperCase());
}

function coordinate(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** The text, if it shows anything (see hasVisibleText): a Body of blanks is no text, so no message. */
function visible(value: string | undefined): string | undefined {
  return hasVisibleText(value) ? value : undefined;
}
