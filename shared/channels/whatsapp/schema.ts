import * as z from 'zod';

/**
 * WhatsApp Cloud API webhook bodies (`object: whatsapp_business_account`), after Meta's webhook reference
 * (providers.md §2.4). Objects are loose: Meta adds fields without notice and we keep every item verbatim
 * as `raw`, so only the fields the normaliser reads are typed, and those strictly.
 */

/** Meta sends times as a *string* of Unix seconds (`"1749416383"`), never a number or milliseconds. */
export const UnixSecondsSchema = z.string().regex(/^\d{1,12}$/, 'expected a string of Unix seconds');

/** An error as Meta reports it on a message, a status or a whole change value. */
export const WhatsAppErrorSchema = z.looseObject({
  /** Numeric (131051, 130429...); kept as a string in envelopes. */
  code: z.union([z.number().int(), z.string().min(1)]),
  title: z.string().optional(),
  /** Usually repeats `title`; `error_data.details` is the useful text. */
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  /** Not in Meta's reference, but test payloads (and older versions) put `details` at the top level. */
  details: z.string().optional(),
  href: z.string().optional(),
});
export type WhatsAppError = z.infer<typeof WhatsAppErrorSchema>;

/** The business number the change concerns. */
export const WhatsAppMetadataSchema = z.looseObject({
  display_phone_number: z.string().optional(),
  /** Our account key: the id the Graph API sends from, stable when the display number is reformatted. */
  phone_number_id: z.string().optional(),
});

/** `value.contacts[]`: the profile of the user who sent the messages of this change. */
export const WhatsAppContactSchema = z.looseObject({
  /**
   * The user's WhatsApp id: E.164 digits without `+`. "A WhatsApp user's ID and phone number may not always
   * match" (Meta), so it can differ from `messages[].from`. Omitted for users who hide their number behind
   * a username.
   */
  wa_id: z.string().optional(),
  /** Business-scoped user id (BSUID, `CC.<alnum>`, e.g. `IN.2081978709342942`); from April 2026. */
  user_id: z.string().optional(),
  /** Parent BSUID shared across a managed business's portfolios (`CC.ENT.<alnum>`). */
  parent_user_id: z.string().optional(),
  profile: z
    .looseObject({
      /** Display name; may be blank. */
      name: z.string().optional(),
      /** Username, only for users who adopted one. */
      username: z.string().optional(),
    })
    .optional(),
  /** Only when the identity change check is enabled. */
  identity_key_hash: z.string().optional(),
});
export type WhatsAppContact = z.infer<typeof WhatsAppContactSchema>;

/** image, audio, video, document and sticker share this shape. */
export const WhatsAppMediaSchema = z
  .looseObject({
    /** Media id for `GET /<media-id>`; expires after 7 days. */
    id: z.string().min(1).optional(),
    /** Direct URL, rolled out to media webhooks gradually from 2025-11-12; needs the bearer token. */
    url: z.string().min(1).optional(),
    mime_type: z.string().optional(),
    sha256: z.string().optional(),
    caption: z.string().optional(),
    /** document only: the original name, may carry accents (`Currículum café.pdf`). */
    filename: z.string().optional(),
    /** sticker only. */
    animated: z.boolean().optional(),
    /** audio only: true for a voice note recorded in the app. */
    voice: z.boolean().optional(),
  })
  .refine((media) => media.id !== undefined || media.url !== undefined, 'media needs an id or a url');
export type WhatsAppMedia = z.infer<typeof WhatsAppMediaSchema>;

/** A shared contact card (`type: contacts`); many fields may be missing. */
export const WhatsAppSharedContactSchema = z.looseObject({
  name: z
    .looseObject({
      formatted_name: z.string().optional(),
      first_name: z.string().optional(),
      middle_name: z.string().optional(),
      last_name: z.string().optional(),
    })
    .optional(),
  phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
});
export type WhatsAppSharedContact = z.infer<typeof WhatsAppSharedContactSchema>;

/** Interactive replies: `button_reply` and `list_reply` from our buttons/lists, `nfm_reply` from a Flow. */
export const WhatsAppInteractiveSchema = z
  .looseObject({
    type: z.string().min(1),
    button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
    list_reply: z
      .looseObject({ id: z.string(), title: z.string(), description: z.string().optional() })
      .optional(),
    nfm_reply: z
      .looseObject({
        name: z.string().optional(),
        body: z.string().optional(),
        /** The Flow's answers as a JSON *string*, not an object. */
        response_json: z.string(),
      })
      .optional(),
  })
  .superRefine((interactive, ctx) => {
    const replies: readonly string[] = ['button_reply', 'list_reply', 'nfm_reply'];
    if (replies.includes(interactive.type) && interactive[interactive.type] === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${interactive.type} without its object`,
        path: [interactive.type],
      });
    }
  });
export type WhatsAppInteractive = z.infer<typeof WhatsAppInteractiveSchema>;

/**
 * `type: system`. Messages of this type come with no `contacts[]`. Current versions send
 * `user_changed_number` (`wa_id` is the *new* id, `from` the old number) and, with BSUIDs,
 * `user_changed_user_id` (`previous_user_id` → `user_id`); older ones sent `customer_changed_number`
 * (`new_wa_id`) and `customer_identity_changed` (a new security key, no new id).
 */
export const WhatsAppSystemSchema = z.looseObject({
  type: z.string().optional(),
  body: z.string().optional(),
  wa_id: z.string().optional(),
  new_wa_id: z.string().optional(),
  customer: z.string().optional(),
  identity: z.string().optional(),
  user_id: z.string().optional(),
  previous_user_id: z.string().optional(),
  parent_user_id: z.string().optional(),
  previous_parent_user_id: z.string().optional(),
});
export type WhatsAppSystem = z.infer<typeof WhatsAppSystemSchema>;

/** `context`: a reply, a product inquiry, the message holding the buttons, or a forward marker. */
export const WhatsAppContextSchema = z.looseObject({
  /** The business number or user that sent the quoted message; may carry `+`. */
  from: z.string().optional(),
  /** wamid of the quoted message. */
  id: z.string().optional(),
  forwarded: z.boolean().optional(),
  /** Forwarded more than five times. */
  frequently_forwarded: z.boolean().optional(),
  referred_product: z
    .looseObject({ catalog_id: z.string().optional(), product_retailer_id: z.string().optional() })
    .optional(),
});

/** The new content of an edited message (`type: edit`, coexistence numbers only). */
export const WhatsAppEditedContentSchema = z.looseObject({
  type: z.string().optional(),
  context: WhatsAppContextSchema.optional(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: WhatsAppMediaSchema.optional(),
  video: WhatsAppMediaSchema.optional(),
  document: WhatsAppMediaSchema.optional(),
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
    id: z.string().min(1).optional(),
    /** The sender's phone as digits; may carry a `+`, and is `''` or absent for BSUID-only users. */
    from: z.string().optional(),
    /** The sender's BSUID. */
    from_user_id: z.string().optional(),
    from_parent_user_id: z.string().optional(),
    /** Echoes only: the customer the business wrote to (`''` when only `to_user_id` is known). */
    to: z.string().optional(),
    to_user_id: z.string().optional(),
    to_parent_user_id: z.string().optional(),
    /** String of Unix seconds; absent only in test payloads (then we use the time of receipt). */
    timestamp: UnixSecondsSchema.optional(),
    type: z.string().min(1),
    context: WhatsAppContextSchema.optional(),
    /** Click-to-WhatsApp ad the user came from: `source_url, source_id, source_type, ctwa_clid, …`. */
    referral: z
      .looseObject({ source_type: z.string().optional(), ctwa_clid: z.string().optional() })
      .optional(),
    /** On `unsupported` (131051 "Message type unknown") or when media could not be fetched. */
    errors: z.array(WhatsAppErrorSchema).optional(),
    text: z.looseObject({ body: z.string() }).optional(),
    image: WhatsAppMediaSchema.optional(),
    audio: WhatsAppMediaSchema.optional(),
    video: WhatsAppMediaSchema.optional(),
    document: WhatsAppMediaSchema.optional(),
    sticker: WhatsAppMediaSchema.optional(),
    /** latitude/longitude are numbers (floats); the rest is optional. */
    location: z
      .looseObject({
        latitude: z.number(),
        longitude: z.number(),
        name: z.string().optional(),
        address: z.string().optional(),
        url: z.string().optional(),
      })
      .optional(),
    /** Shared contact cards; not to be confused with `value.contacts`, the sender's profile. */
    contacts: z.array(WhatsAppSharedContactSchema).optional(),
    interactive: WhatsAppInteractiveSchema.optional(),
    /** Quick-reply button of a template. */
    button: z.looseObject({ payload: z.string().optional(), text: z.string() }).optional(),
    /** No `emoji` (or an empty one) means the reaction was removed; the removal reuses a wamid. */
    reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() }).optional(),
    order: z
      .looseObject({
        catalog_id: z.string().optional(),
        text: z.string().optional(),
        product_items: z
          .array(
            z.looseObject({
              product_retailer_id: z.string(),
              quantity: z.union([z.number(), z.string()]),
              item_price: z.union([z.number(), z.string()]),
              currency: z.string(),
            }),
          )
          .optional(),
      })
      .optional(),
    system: WhatsAppSystemSchema.optional(),
    /** `unsupported.type` names what the user sent (edit, poll_update, ...); may be missing on old versions. */
    unsupported: z.looseObject({ type: z.string().optional() }).optional(),
    /** Coexistence only (a WhatsApp Business app number); elsewhere edits arrive as `unsupported`. */
    edit: z
      .looseObject({
        original_message_id: z.string().min(1),
        message: WhatsAppEditedContentSchema.optional(),
      })
      .optional(),
    /** Coexistence only: the user deleted a message within two days of sending it. */
    revoke: z.looseObject({ original_message_id: z.string().min(1) }).optional(),
  })
  .superRefine((message, ctx) => {
    const typed: readonly string[] = WHATSAPP_TYPED_PAYLOADS;
    if (typed.includes(message.type) && message[message.type] === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${message.type} message without its object`,
        path: [message.type],
      });
    }
  });
export type WhatsAppMessage = z.infer<typeof WhatsAppMessageSchema>;

/** A delivery status of a message we sent (`value.statuses[]`). */
export const WhatsAppStatusSchema = z.looseObject({
  /** wamid of our outbound message. */
  id: z.string().min(1),
  /** `played` is a voice message played; `delivered` is skipped when `read` arrives at once. */
  status: z.enum(['sent', 'delivered', 'read', 'failed', 'played']),
  timestamp: UnixSecondsSchema.optional(),
  /** The recipient's phone digits, or a group id when `recipient_type` is `group`. */
  recipient_id: z.string().optional(),
  recipient_type: z.string().optional(),
  recipient_participant_id: z.string().optional(),
  /** BSUIDs; `recipient_user_id` is omitted on `failed` when we sent to a phone number. */
  recipient_user_id: z.string().optional(),
  recipient_parent_user_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  /** v24.0+ omits it except inside free-entry-point windows; `expiration_timestamp` only on `sent`. */
  conversation: z.looseObject({ id: z.string().optional() }).optional(),
  /** Only on `sent` and one of delivered/read; `billable` is deprecated, `pricing_model` is `PMP`. */
  pricing: z
    .looseObject({ category: z.string().optional(), pricing_model: z.string().optional() })
    .optional(),
  /** On `failed`, e.g. 131049 (healthy ecosystem engagement). */
  errors: z.array(WhatsAppErrorSchema).optional(),
});
export type WhatsAppStatus = z.infer<typeof WhatsAppStatusSchema>;

/** `changes[].value`: one of messages, message_echoes, statuses or errors, with metadata and contacts. */
export const WhatsAppValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp').optional(),
  metadata: WhatsAppMetadataSchema.optional(),
  /** Absent on system messages, statuses and echoes. */
  contacts: z.array(WhatsAppContactSchema).optional(),
  messages: z.array(WhatsAppMessageSchema).optional(),
  message_echoes: z.array(WhatsAppMessageSchema).optional(),
  statuses: z.array(WhatsAppStatusSchema).optional(),
  /** System, app or account errors not tied to a message (e.g. 130429 rate limit hit). */
  errors: z.array(WhatsAppErrorSchema).optional(),
});
export type WhatsAppValue = z.infer<typeof WhatsAppValueSchema>;

/** One change; `field` is `messages` (or `smb_message_echoes` for echoes); test payloads often omit it. */
export const WhatsAppChangeSchema = z.looseObject({
  field: z.string().optional(),
  value: WhatsAppValueSchema.optional(),
});
export type WhatsAppChange = z.infer<typeof WhatsAppChangeSchema>;

/** One WhatsApp Business Account; `entry` is an array and may hold several, each with several changes. */
export const WhatsAppEntrySchema = z.looseObject({
  /** The WABA id. */
  id: z.string().optional(),
  changes: z.array(WhatsAppChangeSchema).optional(),
});
export type WhatsAppEntry = z.infer<typeof WhatsAppEntrySchema>;

/** A whole webhook body. */
export const WhatsAppWebhookSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(WhatsAppEntrySchema),
});
export type WhatsAppWebhook = z.infer<typeof WhatsAppWebhookSchema>;
