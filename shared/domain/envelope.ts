import * as z from 'zod/mini';
import { hot } from '../validation/hot.js';
import { optionalString } from '../validation/primitives.js';
import { optionalName, optionalText } from '../validation/visible-text.js';

/** The channels a customer can reach us on; voice is a phone call, whatever the carrier. */
export const ChannelSchema = z.enum([
  'sms',
  'whatsapp',
  'messenger',
  'instagram',
  'email',
  'voice',
  'webchat',
]);
export type Channel = z.infer<typeof ChannelSchema>;

/** The providers whose webhooks we receive; one folder each under shared/channels. */
export const ProviderSchema = z.enum(['whatsapp', 'twilio', 'meta', 'ses', 'webchat']);
export type Provider = z.infer<typeof ProviderSchema>;

/**
 * Identity kinds. `phone` is E.164 and shared by SMS, voice and WhatsApp (a `wa_id` is a phone number);
 * `whatsapp` is a business-scoped WhatsApp user id (BSUID) for users who hide their number behind a
 * username; `messenger` and `instagram` values are `<page or account id>:<scoped user id>`;
 * `webchat_user` is the `sub` of a site's signed identity token, `webchat_visitor` an anonymous web-chat
 * visitor (one browser), whose id the session holds.
 */
export const IdentityKindSchema = z.enum([
  'phone',
  'email',
  'messenger',
  'instagram',
  'whatsapp',
  'webchat_user',
  'webchat_visitor',
]);

/** One normalised identifier of a person on a channel. */
export const IdentitySchema = z.object({
  kind: IdentityKindSchema,
  value: z.string().check(z.minLength(1), z.maxLength(320)),
});
export type Identity = z.infer<typeof IdentitySchema>;

/** Outbound delivery states, in the only order they may move (see statusRank: failed after delivered, before read). */
export const DeliveryStatusSchema = z.enum(['queued', 'sent', 'delivered', 'failed', 'read', 'played']);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** What a message carries besides (or instead of) text. */
export const ContentTypeSchema = z.enum([
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'order',
  'unsupported',
]);
export type ContentType = z.infer<typeof ContentTypeSchema>;

/** Which way a message or call went: from the customer (`inbound`) or to them (`outbound`). */
export const DirectionSchema = z.enum(['inbound', 'outbound']);
export type Direction = z.infer<typeof DirectionSchema>;

/** The kinds of file a message carries. */
export const AttachmentKindSchema = z.enum(['image', 'audio', 'video', 'document', 'sticker', 'file']);

/** A media item or file: kept as a reference (provider media id or URL), never downloaded by the webhook. */
export const AttachmentSchema = z.object({
  kind: AttachmentKindSchema,
  mediaId: optionalString,
  url: optionalString,
  mimeType: optionalString,
  filename: optionalText,
  caption: optionalText,
  sha256: optionalString,
  sizeBytes: z.optional(z.int().check(z.nonnegative())),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** A provider error code and text, as the provider gave them. */
export const ProviderErrorSchema = z.object({
  code: z.string(),
  title: optionalString,
  message: optionalString,
  /** What the code means, in Threadline's words, when it knows the code (the provider's text may be bare). */
  hint: optionalString,
});
export type ProviderError = z.infer<typeof ProviderErrorSchema>;

const EnvelopeBaseSchema = z.object({
  /** Deterministic from the provider's own ids: the same delivery always yields the same id. */
  id: z.string().check(z.minLength(1), z.maxLength(512)),
  provider: ProviderSchema,
  channel: ChannelSchema,
  /** The business side: WhatsApp phone_number_id, page id, Twilio number, our email address. */
  account: z.optional(z.string().check(z.maxLength(320))),
  /** When the provider says the event happened (ISO 8601 UTC). */
  occurredAt: z.iso.datetime(),
  /** When our webhook received it (ISO 8601 UTC). */
  receivedAt: z.iso.datetime(),
  /**
   * True when `occurredAt` is the provider's own time for the event, the same in every delivery of it;
   * absent when it is our receive time (or another that may differ between deliveries).
   */
  providerTime: z.optional(z.boolean()),
  /**
   * Where the raw payload came from: `<provider>:<sha256 of the body>#<JSON pointer>`, or
   * `<provider>:<the provider's delivery id>#<pointer>` (SES: `ses:sns:<SNS MessageId>#...`).
   */
  rawRef: z.string().check(z.maxLength(1024)),
  /** The provider's own object for this event, kept verbatim for audit and re-processing. */
  raw: z.optional(z.unknown()),
});

/** A message from (inbound) or, for echoes of a business's own replies, to (outbound) a customer. */
export const MessageEnvelopeSchema = z.extend(EnvelopeBaseSchema, {
  kind: z.literal('message'),
  direction: DirectionSchema,
  providerMessageId: z.string().check(z.minLength(1), z.maxLength(512)),
  /** The customer: the sender of an inbound message, the recipient of an outbound one. */
  customer: IdentitySchema,
  /** Further identities of the same person carried by the same payload (e.g. phone and BSUID). */
  alsoKnownAs: z._default(z.array(IdentitySchema).check(z.maxLength(10)), []),
  /**
   * What people write (this, `text`, file names and captions) is made clean: well-formed, without
   * control characters (see cleanText); a name without bidi controls either, none when blank (cleanName).
   */
  profileName: optionalName,
  contentType: ContentTypeSchema,
  text: optionalText,
  attachments: z._default(z.array(AttachmentSchema), []),
  /** The provider message id this one replies to or quotes. */
  replyTo: optionalString,
  /** Type-specific structured content: location, contacts, interactive reply, order, referral... */
  data: z.optional(z.record(z.string(), z.unknown())),
  errors: z.optional(z.array(ProviderErrorSchema)),
});
export type MessageEnvelope = z.infer<typeof MessageEnvelopeSchema>;

/** A delivery status of an outbound message. */
export const StatusEnvelopeSchema = z.extend(EnvelopeBaseSchema, {
  kind: z.literal('status'),
  providerMessageId: z.string().check(z.minLength(1), z.maxLength(512)),
  status: DeliveryStatusSchema,
  customer: z.optional(IdentitySchema),
  errors: z.optional(z.array(ProviderErrorSchema)),
  /** The reply's own key as the provider handed it back (see reply-key.ts); parsed, never trusted. */
  replyKey: z.optional(z.string().check(z.maxLength(256))),
});
export type StatusEnvelope = z.infer<typeof StatusEnvelopeSchema>;

/** A reaction to a message; `emoji` absent means the reaction was removed. */
export const ReactionEnvelopeSchema = z.extend(EnvelopeBaseSchema, {
  kind: z.literal('reaction'),
  providerMessageId: z.string().check(z.minLength(1), z.maxLength(512)),
  targetMessageId: z.string().check(z.minLength(1), z.maxLength(512)),
  customer: IdentitySchema,
  emoji: z.optional(z.string().check(z.maxLength(64))),
});

/** An edit or deletion of an earlier message by the customer. */
export const EditEnvelopeSchema = z.extend(EnvelopeBaseSchema, {
  kind: z.enum(['edit', 'delete']),
  providerMessageId: z.string().check(z.minLength(1), z.maxLength(512)),
  targetMessageId: z.string().check(z.minLength(1), z.maxLength(512)),
  customer: IdentitySchema,
  text: optionalText,
  /**
   * Set by the resolver, never by a webhook: this is a deletion's later look for its message (see
   * `DELETION_RELOOK_DELAY_S`), and `markedAt` is when it first marked the message's reference (the
   * deletion's time, kept); or a held edit's later look (the edit's time), delivered again as it was.
   * Never looked again after it.
   */
  markedAt: z.optional(z.iso.datetime()),
});

/** A phone call's progress: one envelope per state change, recording or transcription. */
export const CallEnvelopeSchema = z.extend(EnvelopeBaseSchema, {
  kind: z.literal('call'),
  callId: z.string().check(z.minLength(1), z.maxLength(512)),
  event: z.enum(['ringing', 'answered', 'completed', 'missed', 'voicemail', 'recording', 'transcription']),
  direction: DirectionSchema,
  /** Absent for a withheld or anonymous caller: the call is kept, but files under no customer. */
  customer: z.optional(IdentitySchema),
  durationSeconds: z.optional(z.int().check(z.nonnegative())),
  recordingUrl: optionalString,
  transcript: optionalText,
});

/**
 * A provider-side event that is not a customer message: an identity change (WhatsApp
 * `user_changed_number`) or an account-level error. Kept so nothing the provider says is dropped.
 */
export const SystemEnvelopeSchema = z.extend(EnvelopeBaseSchema, {
  kind: z.literal('system'),
  /** `suppressed`: a permanent bounce or a complaint; we must not send to that address again. */
  event: z.enum(['identity_changed', 'provider_error', 'suppressed']),
  providerMessageId: z.string().check(z.minLength(1), z.maxLength(512)),
  customer: z.optional(IdentitySchema),
  newIdentity: z.optional(IdentitySchema),
  text: optionalString,
  errors: z.optional(z.array(ProviderErrorSchema)),
  /** `suppressed`: the key of the reply it is about, as the provider handed it back (see StatusEnvelope). */
  replyKey: z.optional(z.string().check(z.maxLength(256))),
});
export type SystemEnvelope = z.infer<typeof SystemEnvelopeSchema>;

/** The one contract between webhook functions and the resolver. */
export const EnvelopeSchema = z.discriminatedUnion('kind', [
  MessageEnvelopeSchema,
  StatusEnvelopeSchema,
  ReactionEnvelopeSchema,
  EditEnvelopeSchema,
  CallEnvelopeSchema,
  SystemEnvelopeSchema,
]);
export type Envelope = z.infer<typeof EnvelopeSchema>;
/** EnvelopeSchema where every envelope passes (normalisers, the resolver): compiled once warm. */
export const EnvelopeParser = hot(EnvelopeSchema);
/** An envelope as a normaliser builds it, before defaults are applied. */
export type EnvelopeInput = z.input<typeof EnvelopeSchema>;
/** A message envelope as a normaliser builds it. */
export type MessageEnvelopeInput = Extract<EnvelopeInput, { kind: 'message' }>;
