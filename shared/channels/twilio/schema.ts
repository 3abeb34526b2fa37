import * as z from 'zod';

/**
 * Twilio webhook parameters (providers.md §1.3, §1.4, §1.6). Twilio posts every webhook as
 * `application/x-www-form-urlencoded`, so every value is a string, and it "will occasionally add new
 * parameters without advance notice": objects are loose, only the fields the normalisers read are typed,
 * and the whole parameter set is kept verbatim as the envelope's `raw`.
 */

/** The only body type Twilio posts to messaging and voice webhooks. */
export const TWILIO_FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** A form as received: one string per name, or every value of a name Twilio repeated. */
export type TwilioForm = Record<string, string | string[]>;

/**
 * Parses a form body as Twilio encodes it: `+` is a space and `%XX` escapes are UTF-8 (§4.1). Values
 * are kept exactly, never trimmed: the signature covers them as decoded, and trimming breaks it (§1.1).
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

/** One value per name (the first of a repeated one): the shape the normalisers read. */
export function firstValues(form: TwilioForm): Record<string, string> {
  return Object.fromEntries(
    Object.entries(form).map(([name, value]) => [name, typeof value === 'string' ? value : (value[0] ?? '')]),
  );
}

/** A Twilio SID (`SM…`, `MM…`, `CA…`, `RE…`, `TR…`): 34 characters from Twilio, shorter in test payloads. */
const SidSchema = z.string().trim().min(1).max(64);
/** A count or a number of seconds, as the decimal string Twilio sends. */
const CountSchema = z.string().regex(/^\d{1,9}$/, 'expected a decimal count');

/** `OptOutType`, sent only when Advanced Opt-Out is enabled on the Messaging Service (§1.3). */
export const TwilioOptOutTypeSchema = z
  .string()
  .transform((value) => value.trim().toUpperCase())
  .pipe(z.enum(['STOP', 'START', 'HELP']));

/** An inbound SMS, MMS or WhatsApp message (the Messaging webhook, §1.3). */
export const TwilioMessageParamsSchema = z
  .looseObject({
    /** 34 characters, `SM…` (SMS) or `MM…` (MMS). */
    MessageSid: SidSchema.optional(),
    /** Deprecated twins of MessageSid with the same value; older payloads and tests carry only these. */
    SmsSid: SidSchema.optional(),
    SmsMessageSid: SidSchema.optional(),
    AccountSid: z.string().optional(),
    MessagingServiceSid: z.string().optional(),
    /** The customer: E.164 "if possible, otherwise the raw caller ID"; `whatsapp:+E164` or `whatsapp:<BSUID>`. */
    From: z.string().trim().min(1),
    /** Our number, in the same forms; missing from some test payloads. */
    To: z.string().optional(),
    /** Up to 1600 characters; absent on media-only, location and some WhatsApp messages. */
    Body: z.string().optional(),
    /** How many `MediaUrl{N}` / `MediaContentType{N}` pairs follow, N zero-based. */
    NumMedia: CountSchema.optional(),
    NumSegments: z.string().optional(),
    /** Set by Twilio when Advanced Opt-Out recognised a keyword; plain keywords arrive without it. */
    OptOutType: z.string().optional(),
    /** WhatsApp: display name (may be blank) and the sender's number as digits without `+`. */
    ProfileName: z.string().optional(),
    WaId: z.string().optional(),
    /** WhatsApp users known by a business-scoped id (BSUID) instead of a number, and their username. */
    ExternalUserId: z.string().optional(),
    ParentExternalUserId: z.string().optional(),
    ProfileUsername: z.string().optional(),
    /** WhatsApp: `text`, `image`, `location`, `button`, `interactive`... Not in Twilio's table, seen in payloads. */
    MessageType: z.string().optional(),
    Latitude: z.string().optional(),
    Longitude: z.string().optional(),
    Address: z.string().optional(),
    Label: z.string().optional(),
    ButtonText: z.string().optional(),
    ButtonPayload: z.string().optional(),
    /** `"true"` when set. */
    Forwarded: z.string().optional(),
    FrequentlyForwarded: z.string().optional(),
    /** A reply to one of our messages of the previous 7 days. */
    OriginalRepliedMessageSid: z.string().optional(),
    OriginalRepliedMessageSender: z.string().optional(),
  })
  .refine(
    (params) => params.MessageSid ?? params.SmsMessageSid ?? params.SmsSid,
    'MessageSid (or SmsSid) is required',
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
    MessageSid: SidSchema.optional(),
    SmsSid: SidSchema.optional(),
    /** Older twin of MessageStatus. */
    MessageStatus: z.string().optional(),
    SmsStatus: z.string().optional(),
    AccountSid: z.string().optional(),
    MessagingServiceSid: z.string().optional(),
    /** Our sender; `whatsapp:+E164` for WhatsApp. */
    From: z.string().optional(),
    /** The customer; missing from some test payloads. */
    To: z.string().optional(),
    /** On `failed` and `undelivered` (e.g. 30003, 30008, 63016). */
    ErrorCode: z.string().optional(),
    ErrorMessage: z.string().optional(),
    /** WhatsApp and other channels: the channel's own failure text. */
    ChannelStatusMessage: z.string().optional(),
    /** SMS: `YYMMDDhhmm`, carrier time of an unspecified zone, so not used as occurredAt. */
    RawDlrDoneDate: z.string().optional(),
  })
  .refine((params) => params.MessageSid ?? params.SmsSid, 'MessageSid (or SmsSid) is required')
  .refine((params) => params.MessageStatus ?? params.SmsStatus, 'MessageStatus is required');
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
  AccountSid: z.string().optional(),
  /**
   * E.164, `client:<name>`, or `anonymous`/`unknown` for a withheld number. Absent from recording status
   * callbacks: the voice app then passes the caller from the callback URL it signed (see normaliseTwilioCall).
   */
  From: z.string().optional(),
  To: z.string().optional(),
  CallStatus: TwilioCallStatusSchema.optional(),
  /** `inbound`, `outbound-api` or `outbound-dial`. */
  Direction: z.string().optional(),
  /** Status callbacks: the call's length in seconds. */
  CallDuration: CountSchema.optional(),
  RecordingSid: SidSchema.optional(),
  /** WAV; append `.mp3` for MP3. Media needs basic auth only if the account requires it. */
  RecordingUrl: z.string().optional(),
  RecordingDuration: CountSchema.optional(),
  /** `completed`, `failed` or `absent` (nothing was said). */
  RecordingStatus: z.string().optional(),
  TranscriptionSid: SidSchema.optional(),
  TranscriptionText: z.string().optional(),
  /** `completed` or `failed`. */
  TranscriptionStatus: z.string().optional(),
});
export type TwilioCallParams = z.infer<typeof TwilioCallParamsSchema>;
