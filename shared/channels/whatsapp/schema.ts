import * as z from 'zod/mini';
import {
  nonEmptyString,
  optionalBoolean,
  optionalNonEmptyString,
  optionalString,
} from '../../validation/primitives.js';

/**
 * WhatsApp Cloud API webhook bodies (`object: whatsapp_business_account`), after Meta's webhook reference
 * (providers.md §2.4). Objects are loose: Meta adds fields without notice and we keep every item verbatim
 * as `raw`, so only the fields the normaliser reads are typed, and those strictly.
 */

/** Meta sends times as a *string* of Unix seconds (`"1749416383"`), never a number or milliseconds. */
export const UnixSecondsSchema = z.string().check(z.regex(/^\d{1,12}$/, 'expected a string of Unix seconds'));

/** An error as Meta reports it on a message, a status or a whole change value. */
export const WhatsAppErrorSchema = z.looseObject({
  /** Numeric (131051, 130429...); kept as a string in envelopes. */
  code: z.union([z.number().check(z.int()), nonEmptyString]),
  title: optionalString,
  /** Usually repeats `title`; `error_data.details` is the useful text. */
  message: optionalString,
  error_data: z.optional(z.looseObject({ details: optionalString })),
  /** Not in Meta's reference, but test payloads (and older versions) put `details` at the top level. */
  details: optionalString,
  href: optionalString,
});
export type WhatsAppError = z.infer<typeof WhatsAppErrorSchema>;

/** The business number the change concerns. */
export const WhatsAppMetadataSchema = z.looseObject({
  display_phone_number: optionalString,
  /** Our account key: the id the Graph API sends from, stable when the display number is reformatted. */
  phone_number_id: optionalString,
});

/** `value.contacts[]`: the profile of the user who sent the messages of this change. */
export const WhatsAppContactSchema = z.looseObject({
  /**
   * The user's WhatsApp id: E.164 digits without `+`. "A WhatsApp user's ID and phone number may not always
   * match" (Meta), so it can differ from `messages[].from`. Omitted for users who hide their number behind
   * a username.
   */
  wa_id: optionalString,
  /** Business-scoped user id (BSUID, `CC.<alnum>`, e.g. `IN.2081978709342942`); from April 2026. */
  user_id: optionalString,
  /** Parent BSUID shared across a managed business's portfolios (`CC.ENT.<alnum>`). */
  parent_user_id: optionalString,
  profile: z.optional(
    z.looseObject({
      /** Display name; may be blank. */
      name: optionalString,
      /** Username, only for users who adopted one. */
      username: optionalString,
    }),
  ),
  /** Only when the identity change check is enabled. */
  identity_key_hash: optionalString,
});
export type WhatsAppContact = z.infer<typeof WhatsAppContactSchema>;

/** image, audio, video, document and sticker share this shape. */
export const WhatsAppMediaSchema = z
  .looseObject({
    /** Media id for `GET /<media-id>`; expires after 7 days. */
    id: optionalNonEmptyString,
    /** Direct URL, rolled out to media webhooks gradually from 2025-11-12; needs the bearer token. */
    url: optionalNonEmptyString,
    mime_type: optionalString,
    sha256: optionalString,
    caption: optionalString,
    /** document only: the original name, may carry accents (`Currículum café.pdf`). */
    filename: optionalString,
    /** sticker only. */
    animated: optionalBoolean,
    /** audio only: true for a voice note recorded in the app. */
    voice: optionalBoolean,
  })
  .check(
    z.refine((media) => media.id !== undefined || media.url !== undefined, 'media needs an id or a url'),
  );
export type WhatsAppMedia = z.infer<typeof WhatsAppMediaSchema>;

/** A shared contact card (`type: contacts`); many fields may be missing. */
export const WhatsAppSharedContactSchema = z.looseObject({
  name: z.optional(
    z.looseObject({
      formatted_name: optionalString,
      first_name: optionalString,
      middle_name: optionalString,
      last_name: optionalString,
    }),
  ),
  phones: z.optional(z.array(z.looseObject({ phone: optionalString, wa_id: optionalString }))),
});
export type WhatsAppSharedContact = z.infer<typeof WhatsAppSharedContactSchema>;

/** Interactive replies: `button_reply` and `list_reply` from our buttons/lists, `nfm_reply` from a Flow. */
export const WhatsAppInteractiveSchema = z
  .looseObject({
    type: nonEmptyString,
    button_reply: z.optional(z.looseObject({ id: z.string(), title: z.string() })),
    list_reply: z.optional(z.looseObject({ id: z.string(), title: z.string(), description: optionalString })),
    nfm_reply: z.optional(
      z.looseObject({
        name: optionalString,
        body: optionalString,
        /** The Flow's answers as a JSON *string*, not an object. */
        response_json: z.string(),
      }),
    ),
  })
  .check(
    z.superRefine((interactive, ctx) => {
      const replies: readonly string[] = ['button_reply', 'list_reply', 'nfm_reply'];
      if (replies.includes(interactive.type) && interactive[interactive.type] === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${interactive.type} without its object`,
          path: [interactive.type],
        });
      }
    }),
  );
export type WhatsAppInteractive = z.infer<typeof WhatsAppInteractiveSchema>;

/**
 * `type: system`. Messages of this type come with no `contacts[]`. Current versions send
 * `user_changed_number` (`wa_id` is the *new* id, `from` the old number) and, with BSUIDs,
 * `user_changed_user_id` (`previous_user_id` → `user_id`); older ones sent `customer_changed_number`
 * (`new_wa_id`) and `customer_identity_changed` (a new security key, no new id).
 */
export const WhatsAppSystemSchema = z.looseObject({
  type: optionalString,
  body: optionalString,
  wa_id: optionalString,
  new_wa_id: optionalString,
  customer: optionalString,
  identity: optionalString,
  user_id: optionalString,
  previous_user_id: optionalString,
  parent_user_id: optionalString,
  previous_parent_user_id: optionalString,
});
export type WhatsAppSystem = z.infer<typeof WhatsAppSystemSchema>;

/** `context`: a reply, a product inquiry, the message holding the buttons, or a forward marker. */
export const WhatsAppContextSchema = z.looseObject({
  /** The business number or user that sent the quoted message; may carry `+`. */
  from: optionalString,
  /** wamid of the quoted message. */
  id: optionalString,
  forwarded: optionalBoolean,
  /** Forwarded more than five times. */
  frequently_forwarded: optionalBoolean,
  referred_product: z.optional(
    z.looseObject({ catalog_id: optionalString, product_retailer_id: optionalString }),
  ),
});

/** The new content of an edited message (`type: edit`, coexistence numbers only). */
export const WhatsAppEditedContentSchema = z.looseObject({
  type: optionalString,
  context: z.optional(WhatsAppContextSchema),
  text: z.optional(z.looseObject({ body: z.string() })),
  image: z.optional(WhatsAppMediaSchema),
  video: z.optional(WhatsAppMediaSchema),
  document: z.optional(WhatsAppMediaSchema),
});

/** Message types whose payload sits in the property named after the type. */
export const WHATSAPP_TYPED_PAYLOADS = [
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
  'reaction',
  'order',
  'system',
  'edit',
  'revoke',
] as const;

/**
 * One of `value.messages[]` (from a user) or `value.message_echoes[]` (sent by the business from the
 * WhatsApp Business app, field `smb_message_echoes`). `type` is an open set: types we do not know (e.g.
 * `request_welcome`) must still parse and become `unsupported` envelopes.
 */
export const WhatsAppMessageSchema = z
  .looseObject({
    /** `wamid.…`; always sent by Meta, but some test payloads omit it. */
    id: optionalNonEmptyString,
    /** The sender's phone as digits; may carry a `+`, and is `''` or absent for BSUID-only users. */
    from: optionalString,
    /** The sender's BSUID. */
    from_user_id: optionalString,
    from_parent_user_id: optionalString,
    /** Echoes only: the customer the business wrote to (`''` when only `to_user_id` is known). */
    to: optionalString,
    to_user_id: optionalString,
    to_parent_user_id: optionalString,
    /** String of Unix seconds; absent only in test payloads (then we use the time of receipt). */
    timestamp: z.optional(UnixSecondsSchema),
    type: nonEmptyString,
    context: z.optional(WhatsAppContextSchema),
    /** Click-to-WhatsApp ad the user came from: `source_url, source_id, source_type, ctwa_clid, …`. */
    referral: z.optional(z.looseObject({ source_type: optionalString, ctwa_clid: optionalString })),
    /** On `unsupported` (131051 "Message type unknown") or when media could not be fetched. */
    errors: z.optional(z.array(WhatsAppErrorSchema)),
    text: z.optional(z.looseObject({ body: z.string() })),
    image: z.optional(WhatsAppMediaSchema),
    audio: z.optional(WhatsAppMediaSchema),
    video: z.optional(WhatsAppMediaSchema),
    document: z.optional(WhatsAppMediaSchema),
    sticker: z.optional(WhatsAppMediaSchema),
    /** latitude/longitude are numbers (floats); the rest is optional. */
    location: z.optional(
      z.looseObject({
        latitude: z.number(),
        longitude: z.number(),
        name: optionalString,
        address: optionalString,
        url: optionalString,
      }),
    ),
    /** Shared contact cards; not to be confused with `value.contacts`, the sender's profile. */
    contacts: z.optional(z.array(WhatsAppSharedContactSchema)),
    interactive: z.optional(WhatsAppInteractiveSchema),
    /** Quick-reply button of a template. */
    button: z.optional(z.looseObject({ payload: optionalString, text: z.string() })),
    /** No `emoji` (or an empty one) means the reaction was removed; the removal reuses a wamid. */
    reaction: z.optional(z.looseObject({ message_id: nonEmptyString, emoji: optionalString })),
    order: z.optional(
      z.looseObject({
        catalog_id: optionalString,
        text: optionalString,
        product_items: z.optional(
          z.array(
            z.looseObject({
              product_retailer_id: z.string(),
              quantity: z.union([z.number(), z.string()]),
              item_price: z.union([z.number(), z.string()]),
              currency: z.string(),
            }),
          ),
        ),
      }),
    ),
    system: z.optional(WhatsAppSystemSchema),
    /** `unsupported.type` names what the user sent (edit, poll_update, ...); may be missing on old versions. */
    unsupported: z.optional(z.looseObject({ type: optionalString })),
    /** Coexistence only (a WhatsApp Business app number); elsewhere edits arrive as `unsupported`. */
    edit: z.optional(
      z.looseObject({
        original_message_id: nonEmptyString,
        message: z.optional(WhatsAppEditedContentSchema),
      }),
    ),
    /** Coexistence only: the user deleted a message within two days of sending it. */
    revoke: z.optional(z.looseObject({ original_message_id: nonEmptyString })),
  })
  .check(
    z.superRefine((message, ctx) => {
      const typed: readonly string[] = WHATSAPP_TYPED_PAYLOADS;
      if (typed.includes(message.type) && message[message.type] === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${message.type} message without its object`,
          path: [message.type],
        });
      }
    }),
  );
export type WhatsAppMessage = z.infer<typeof WhatsAppMessageSchema>;

/** A delivery status of a message we sent (`value.statuses[]`). */
export const WhatsAppStatusSchema = z.looseObject({
  /** wamid of our outbound message. */
  id: nonEmptyString,
  /** `played` is a voice message played; `delivered` is skipped when `read` arrives at once. */
  status: z.enum(['sent', 'delivered', 'read', 'failed', 'played']),
  timestamp: z.optional(UnixSecondsSchema),
  /** The recipient's phone digits, or a group id when `recipient_type` is `group`. */
  recipient_id: optionalString,
  recipient_type: optionalString,
  recipient_participant_id: optionalString,
  /** BSUIDs; `recipient_user_id` is omitted on `failed` when we sent to a phone number. */
  recipient_user_id: optionalString,
  recipient_parent_user_id: optionalString,
  biz_opaque_callback_data: optionalString,
  /** v24.0+ omits it except inside free-entry-point windows; `expiration_timestamp` only on `sent`. */
  conversation: z.optional(z.looseObject({ id: optionalString })),
  /** Only on `sent` and one of delivered/read; `billable` is deprecated, `pricing_model` is `PMP`. */
  pricing: z.optional(z.looseObject({ category: optionalString, pricing_model: optionalString })),
  /** On `failed`, e.g. 131049 (healthy ecosystem engagement). */
  errors: z.optional(z.array(WhatsAppErrorSchema)),
});
export type WhatsAppStatus = z.infer<typeof WhatsAppStatusSchema>;

/** `changes[].value`: one of messages, message_echoes, statuses or errors, with metadata and contacts. */
export const WhatsAppValueSchema = z.looseObject({
  messaging_product: z.optional(z.literal('whatsapp')),
  metadata: z.optional(WhatsAppMetadataSchema),
  /** Absent on system messages, statuses and echoes. */
  contacts: z.optional(z.array(WhatsAppContactSchema)),
  messages: z.optional(z.array(WhatsAppMessageSchema)),
  message_echoes: z.optional(z.array(WhatsAppMessageSchema)),
  statuses: z.optional(z.array(WhatsAppStatusSchema)),
  /** System, app or account errors not tied to a message (e.g. 130429 rate limit hit). */
  errors: z.optional(z.array(WhatsAppErrorSchema)),
});
export type WhatsAppValue = z.infer<typeof WhatsAppValueSchema>;

/** One change; `field` is `messages` (or `smb_message_echoes` for echoes); test payloads often omit it. */
export const WhatsAppChangeSchema = z.looseObject({
  field: optionalString,
  value: z.optional(WhatsAppValueSchema),
});
export type WhatsAppChange = z.infer<typeof WhatsAppChangeSchema>;

/** One WhatsApp Business Account; `entry` is an array and may hold several, each with several changes. */
export const WhatsAppEntrySchema = z.looseObject({
  /** The WABA id. */
  id: optionalString,
  changes: z.optional(z.array(WhatsAppChangeSchema)),
});
export type WhatsAppEntry = z.infer<typeof WhatsAppEntrySchema>;

/** A whole webhook body. */
export const WhatsAppWebhookSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(WhatsAppEntrySchema),
});
export type WhatsAppWebhook = z.infer<typeof WhatsAppWebhookSchema>;
