import type * as z from 'zod/mini';
import { providerPhone } from '#shared/domain/addresses.js';
import {
  type Attachment,
  type Channel,
  type DeliveryStatus,
  type Envelope,
  type EnvelopeInput,
  EnvelopeParser,
  type Identity,
  type MessageEnvelopeInput,
  type ProviderError,
} from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';
import { hot, type Parser } from '#shared/validation/hot.js';
import { type BodyContext, optional, PHONE_LIKE, phoneIdentity, uniqueIdentities } from '../normalised.js';
import {
  type TwilioCallParams,
  TwilioCallParamsSchema,
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
const CallParams = hot(TwilioCallParamsSchema);
const MessageStatus = hot(TwilioMessageStatusSchema);

/** The voice normaliser's context: also the query of the callback URL, which the signature covers. */
export interface TwilioCallContext extends BodyContext {
  /**
   * Recording status callbacks carry neither `From` nor `To`, so the voice app writes them into the
   * callback URL's query when it answers the call; they are read from here when the parameters lack them.
   */
  query?: Record<string, string>;
}

/** Which voice request the parameters came from. */
export type TwilioCallEvent = 'incoming' | 'status' | 'recording' | 'transcription';

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
 * Turns an inbound SMS, MMS or WhatsApp message (Twilio's Messaging webhook) into one `message`
 * envelope. The customer is the `From` phone in E.164, the same identity WhatsApp Cloud gives the same
 * number, or a WhatsApp BSUID. Opt-out keywords stay ordinary messages and add `data.optOut`. Throws
 * ValidationError when the parameters are not a message or the sender is no phone and no WhatsApp user.
 */
export function normaliseTwilioMessage(params: Record<string, string>, ctx: BodyContext): Envelope[] {
  const message = parseParams(MessageParams, params, 'message');
  const sid = message.MessageSid ?? message.SmsMessageSid ?? message.SmsSid ?? '';
  const channel = channelOf(message.From);
  const [customer, ...alsoKnownAs] = uniqueIdentities([
    addressIdentity(message.From),
    phoneIdentity(message.WaId, { international: true }),
    bsuidIdentity(message.ExternalUserId),
    bsuidIdentity(message.ParentExternalUserId),
  ]);
  if (!customer) throw new ValidationError('From is neither a phone number nor a WhatsApp user id');

  const content = messageContent(message, params);
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
    ...optional('profileName', nonBlank(message.ProfileName)?.slice(0, 256)),
    contentType: content.contentType,
    ...optional('text', content.text),
    attachments: content.attachments,
    ...optional('replyTo', nonBlank(message.OriginalRepliedMessageSid)),
    ...(Object.keys(data).length > 0 ? { data } : {}),
  });
  return [envelope];
}

/**
 * Turns a message status callback into a `status` envelope, one per (message, raw status): Twilio's
 * order is not guaranteed, and the resolver only ever moves a status forward. The customer is `To`;
 * the raw status stays in `raw`. `receiving`/`received` yield nothing. Throws ValidationError for
 * parameters that are not a status callback, or a status Twilio does not document.
 */
export function normaliseTwilioStatus(params: Record<string, string>, ctx: BodyContext): Envelope[] {
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
    }),
  ];
}

/**
 * Turns a voice request into a `call` envelope on channel `voice`: the incoming call is `ringing`, a
 * recording is `voicemail`, a transcription `transcription`, and a call status callback `completed`
 * (with its duration) or `missed` (busy, no-answer, failed, canceled). A recording or transcription
 * that failed or holds nothing yields no envelope. The customer is the caller of an inbound call and
 * the callee of an outbound one; ValidationError when that is withheld (`anonymous`) or not a phone.
 */
export function normaliseTwilioCall(
  params: Record<string, string>,
  ctx: TwilioCallContext,
  event: TwilioCallEvent,
): Envelope[] {
  const call = parseParams(CallParams, params, 'voice request');
  const from = call.From ?? ctx.query?.From;
  const to = call.To ?? ctx.query?.To;
  const direction: 'inbound' | 'outbound' = call.Direction?.startsWith('outbound') ? 'outbound' : 'inbound';
  const customer = addressIdentity(direction === 'inbound' ? from : to);
  if (!customer) throw new ValidationError('the caller is withheld or not a phone number');
  const common = {
    kind: 'call' as const,
    ...base(ctx, 'voice', params, accountOf(direction === 'inbound' ? to : from)),
    callId: call.CallSid,
    direction,
    customer,
  };
  const callEnvelope = (
    callEvent: Extract<EnvelopeInput, { kind: 'call' }>['event'],
    suffix: string,
    extra: Partial<Extract<EnvelopeInput, { kind: 'call' }>> = {},
  ): Envelope[] => [
    validated({ id: `twilio:call:${call.CallSid}:${suffix}`, ...common, event: callEvent, ...extra }),
  ];

  switch (event) {
    case 'incoming':
      return callEnvelope('ringing', 'ringing');
    case 'status': {
      const callEvent = callStatusEvent(call);
      return callEnvelope(callEvent, callEvent, {
        ...optional('durationSeconds', seconds(call.CallDuration)),
        ...optional('recordingUrl', nonBlank(call.RecordingUrl)),
      });
    }
    case 'recording': {
      if (call.RecordingStatus !== undefined && call.RecordingStatus !== 'completed') return [];
      const recordingSid = required(call.RecordingSid, 'RecordingSid');
      return callEnvelope('voicemail', `voicemail:${recordingSid}`, {
        recordingUrl: required(nonBlank(call.RecordingUrl), 'RecordingUrl'),
        ...optional('durationSeconds', seconds(call.RecordingDuration)),
      });
    }
    case 'transcription': {
      if (call.TranscriptionStatus !== undefined && call.TranscriptionStatus !== 'completed') return [];
      const transcriptionSid = required(call.TranscriptionSid, 'TranscriptionSid');
      return callEnvelope('transcription', `transcription:${transcriptionSid}`, {
        ...optional('transcript', call.TranscriptionText),
        ...optional('recordingUrl', nonBlank(call.RecordingUrl)),
      });
    }
  }
}

function callStatusEvent(call: TwilioCallParams): 'ringing' | 'answered' | 'completed' | 'missed' {
  switch (call.CallStatus) {
    case 'queued':
    case 'initiated':
    case 'ringing':
      return 'ringing';
    case 'in-progress':
      return 'answered';
    case 'completed':
      return 'completed';
    case 'busy':
    case 'failed':
    case 'no-answer':
    case 'canceled':
      return 'missed';
    case undefined:
      throw new ValidationError('invalid Twilio voice request: CallStatus is required');
  }
}

type MessageContent = Pick<MessageEnvelopeInput, 'contentType' | 'text' | 'data'> & {
  attachments: Attachment[];
};

function messageContent(message: TwilioMessageParams, params: Record<string, string>): MessageContent {
  // NUL bytes (seen in real bodies) carry nothing and break consumers that store C strings.
  const text = nonEmpty(message.Body?.replaceAll('\u0000', ''));
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
  if (channel !== 'sms' || message.Body === undefined) return undefined;
  return OPT_OUT_KEYWORDS.get(message.Body.trim().toUpperCase());
}

function base(ctx: BodyContext, channel: Channel, params: Record<string, string>, account?: string) {
  return {
    provider: 'twilio' as const,
    channel,
    ...optional('account', account),
    // Twilio sends no event time: when our webhook received the request is the nearest there is.
    occurredAt: ctx.receivedAt,
    receivedAt: ctx.receivedAt,
    rawRef: `twilio:${ctx.bodySha256}#`,
    raw: params,
  };
}

const WHATSAPP_PREFIX = /^whatsapp:/i;
// A business-scoped WhatsApp user id: `IN.2081978709342942`, `IN.ENT.9081726354`.
const BSUID = /^[A-Z]{2}(\.[A-Za-z0-9]+)+$/;

function isWhatsAppAddress(address: string | undefined): boolean {
  return address !== undefined && WHATSAPP_PREFIX.test(address.trim());
}

function channelOf(from: string): 'sms' | 'whatsapp' {
  return isWhatsAppAddress(from) ? 'whatsapp' : 'sms';
}

/** The identity behind a Twilio address: `+E164`, `whatsapp:+E164` or `whatsapp:<BSUID>`. */
function addressIdentity(address: string | undefined): Identity | undefined {
  const trimmed = address?.trim();
  if (!trimmed) return undefined;
  const bare = trimmed.replace(WHATSAPP_PREFIX, '');
  if (bare !== trimmed && BSUID.test(bare)) return { kind: 'whatsapp', value: bare };
  return phoneIdentity(bare);
}

function bsuidIdentity(raw: string | undefined): Identity | undefined {
  const value = raw?.trim();
  return value && BSUID.test(value) ? { kind: 'whatsapp', value } : undefined;
}

/** Our number: E.164 when it is one, else as given (a short code); the channel prefix is dropped. */
function accountOf(address: string | undefined): string | undefined {
  const bare = address?.trim().replace(WHATSAPP_PREFIX, '');
  if (!bare) return undefined;
  return (PHONE_LIKE.test(bare) ? providerPhone(bare) : undefined) ?? bare.slice(0, 320);
}

/** Parses at the boundary; the error names fields and rules, never values (they are personal data). */
function parseParams<S extends z.ZodMiniType>(schema: Parser<S>, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const reason = result.error.issues
    .map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
  throw new ValidationError(`invalid Twilio ${what}: ${reason}`, { cause: result.error });
}

function validated(envelope: EnvelopeInput): Envelope {
  const result = EnvelopeParser.safeParse(envelope);
  if (result.success) return result.data;
  const reason = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new ValidationError(`Twilio parameters make no valid envelope: ${reason}`, { cause: result.error });
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new ValidationError(`invalid Twilio voice request: ${name} is required`);
  return value;
}

function seconds(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function coordinate(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function nonBlank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value ? value : undefined;
}
