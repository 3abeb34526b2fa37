import * as z from 'zod/mini';
import { ValidationError } from '../../errors.js';
import { optionalString } from '../../validation/primitives.js';

/**
 * Twilio webhook parameters (providers.md §1.3, §1.4, §1.6). Twilio posts every webhook as
 * `application/x-www-form-urlencoded`, so every value is a string, and it "will occasionally add new
 * parameters without advance notice": objects are loose, only the fields the normalisers read are typed,
 * and the whole parameter set is kept verbatim as the envelope's `raw`.
 */

/** The only body type Twilio posts to messaging and voice webhooks. */
export const TWILIO_FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * The largest body a Twilio webhook route takes. Twilio's forms are a few KB: a 1,600-character SMS or
 * a 4,096-character WhatsApp body percent-encoded (at most 12 characters per emoji), ten media URLs, a
 * transcription of a two-minute recording and some forty other parameters fit in 64 KiB many times over.
 */
export const TWILIO_MAX_BODY_BYTES = 64 * 1024;

/** The most form parameters accepted: Twilio sends about 20 to 60 (ten media pairs included). */
export const TWILIO_MAX_PARAMS = 200;

/** A form as received: one string per name, or every value of a name Twilio repeated. */
export type TwilioForm = Record<string, string | string[]>;

/**
 * Parses a form body as Twilio encodes it: `+` is a space and `%XX` escapes are UTF-8 (§4.1). Values
 * are kept exactly, never trimmed: the signature covers them as decoded, and trimming breaks it (§1.1).
 * Every parameter is read, however many there are: the signature covers them all, so a forged request
 * can only be told apart once they are; the body's limit (TWILIO_MAX_BODY_BYTES) bounds the work.
 */
export function parseTwilioForm(body: string): TwilioForm {
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = values.get(name);
    if (seen) seen.push(value);
    else values.set(name, [value]);
  }
  // fromEntries defines own properties, so a field named `__proto__` stays a field.
  return Object.fromEntries(
    [...values].map(([name, all]) => [name, all.length === 1 ? (all[0] ?? '') : all]),
  );
}

/** Refuses (400) a form with more parameters than Twilio sends; checked once the signature is good. */
export function checkParamCount(form: TwilioForm): void {
  let count = 0;
  for (const value of Object.values(form)) count += typeof value === 'string' ? 1 : value.length;
  if (count > TWILIO_MAX_PARAMS) {
    throw new ValidationError(`more than ${TWILIO_MAX_PARAMS} form parameters`);
  }
}

/** One value per name (the first of a repeated one): the shape the normalisers read. */
export function firstValues(form: TwilioForm): Record<string, string> {
  return Object.fromEntries(
    Object.entries(form).map(([name, value]) => [name, typeof value === 'string' ? value : (value[0] ?? '')]),
  );
}

/** A Twilio SID (`SM…`, `MM…`, `CA…`, `RE…`, `TR…`): 34 characters from Twilio, shorter in test payloads. */
const SidSchema = z.string().check(z.trim(), z.minLength(1), z.maxLength(64));
/** A count or a number of seconds, as the decimal string Twilio sends. */
const CountSchema = z.string().check(z.regex(/^\d{1,9}$/, 'expected a decimal count'));

/** `OptOutType`, sent only when Advanced Opt-Out is enabled on the Messaging Service (§1.3). */
export const TwilioOptOutTypeSchema = z.pipe(
  z.pipe(
    z.string(),
    z.transform((value: string) => value.trim().toUpperCase()),
  ),
  z.enum(['STOP', 'START', 'HELP']),
);

/** An inbound SMS, MMS or WhatsApp message (the Messaging webhook, §1.3). */
export const TwilioMessageParamsSchema = z
  .looseObject({
    /** 34 characters, `SM…` (SMS) or `MM…` (MMS). */
    MessageSid: z.optional(SidSchema),
    /** Deprecated twins of MessageSid with the same value; older payloads and tests carry only these. */
    SmsSid: z.optional(SidSchema),
    SmsMessageSid: z.optional(SidSchema),
    AccountSid: optionalString,
    MessagingServiceSid: optionalString,
    /** The customer: E.164 "if possible, otherwise the raw caller ID"; `whatsapp:+E164` or `whatsapp:<BSUID>`. */
    From: z.string().check(z.trim(), z.minLength(1)),
    /** Our number, in the same forms; missing from some test payloads. */
    To: optionalString,
    /** Up to 1600 characters; absent on media-only, location and some WhatsApp messages. */
    Body: optionalString,
    /** How many `MediaUrl{N}` / `MediaContentType{N}` pairs follow, N zero-based. */
    NumMedia: z.optional(CountSchema),
    NumSegments: optionalString,
    /** Set by Twilio when Advanced Opt-Out recognised a keyword; plain keywords arrive without it. */
    OptOutType: optionalString,
    /** WhatsApp: display name (may be blank) and the sender's number as digits without `+`. */
    ProfileName: optionalString,
    WaId: optionalString,
    /** WhatsApp users known by a business-scoped id (BSUID) instead of a number, and their username. */
    ExternalUserId: optionalString,
    ParentExternalUserId: optionalString,
    ProfileUsername: optionalString,
    /** WhatsApp: `text`, `image`, `location`, `button`, `interactive`... Not in Twilio's table, seen in payloads. */
    MessageType: optionalString,
    Latitude: optionalString,
    Longitude: optionalString,
    Address: optionalString,
    Label: optionalString,
    ButtonText: optionalString,
    ButtonPayload: optionalString,
    /** `"true"` when set. */
    Forwarded: optionalString,
    FrequentlyForwarded: optionalString,
    /** A reply to one of our messages of the previous 7 days. */
    OriginalRepliedMessageSid: optionalString,
    OriginalRepliedMessageSender: optionalString,
  })
  .check(
    z.refine(
      (params) => params.MessageSid ?? params.SmsMessageSid ?? params.SmsSid,
      'MessageSid (or SmsSid) is required',
    ),
  );
export type TwilioMessageParams = z.infer<typeof TwilioMessageParamsSchema>;

/** Every `MessageStatus` value of twilio-node's `message.d.ts`. */
export const TwilioMessageStatusSchema = z.enum([
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
]);
export type TwilioMessageStatus = z.infer<typeof TwilioMessageStatusSchema>;

/**
 * A status callback of a message we sent (§1.4). The first status (`queued`, `accepted` or `scheduled`)
 * is not called back, and the order of the others is not guaranteed.
 */
export const TwilioStatusParamsSchema = z
  .looseObject({
    MessageSid: z.optional(SidSchema),
    SmsSid: z.optional(SidSchema),
    /** Older twin of MessageStatus. */
    MessageStatus: optionalString,
    SmsStatus: optionalString,
    AccountSid: optionalString,
    MessagingServiceSid: optionalString,
    /** Our sender; `whatsapp:+E164` for WhatsApp. */
    From: optionalString,
    /** The customer; missing from some test payloads. */
    To: optionalString,
    /** On `failed` and `undelivered` (e.g. 30003, 30008, 63016). */
    ErrorCode: optionalString,
    ErrorMessage: optionalString,
    /** WhatsApp and other channels: the channel's own failure text. */
    ChannelStatusMessage: optionalString,
    /** SMS: `YYMMDDhhmm`, carrier time of an unspecified zone, so not used as occurredAt. */
    RawDlrDoneDate: optionalString,
  })
  .check(
    z.refine((params) => params.MessageSid ?? params.SmsSid, 'MessageSid (or SmsSid) is required'),
    z.refine((params) => params.MessageStatus ?? params.SmsStatus, 'MessageStatus is required'),
  );
export type TwilioStatusParams = z.infer<typeof TwilioStatusParamsSchema>;

/** Every `CallStatus` value (§1.6). */
export const TwilioCallStatusSchema = z.enum([
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
]);
export type TwilioCallStatus = z.infer<typeof TwilioCallStatusSchema>;

/**
 * The parameters of every voice request: the incoming call, the call status callback, the
 * `<Record>` recording status and transcription callbacks (§1.6).
 */
export const TwilioCallParamsSchema = z.looseObject({
  CallSid: SidSchema,
  AccountSid: optionalString,
  /**
   * E.164, `client:<name>`, or `anonymous`/`unknown` for a withheld number. Absent from recording status
   * callbacks: the voice app then passes the caller from the callback URL it signed (see normaliseTwilioCall).
   */
  From: optionalString,
  To: optionalString,
  CallStatus: z.optional(TwilioCallStatusSchema),
  /** `inbound`, `outbound-api` or `outbound-dial`. */
  Direction: optionalString,
  /** Status callbacks: the call's length in seconds. */
  CallDuration: z.optional(CountSchema),
  RecordingSid: z.optional(SidSchema),
  /** WAV; append `.mp3` for MP3. Media needs basic auth only if the account requires it. */
  RecordingUrl: optionalString,
  RecordingDuration: z.optional(CountSchema),
  /** `completed`, `failed` or `absent` (nothing was said). */
  RecordingStatus: optionalString,
  TranscriptionSid: z.optional(SidSchema),
  TranscriptionText: optionalString,
  /** `completed` or `failed`. */
  TranscriptionStatus: optionalString,
});
export type TwilioCallParams = z.infer<typeof TwilioCallParamsSchema>;
