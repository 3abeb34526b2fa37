import * as z from 'zod/mini';
import {
  nonEmptyString,
  optionalBoolean,
  optionalNonEmptyString,
  optionalString,
} from '../../validation/primitives.js';

/**
 * Messenger (`object: page`) and Instagram Messaging (`object: instagram`) webhook bodies: both use the
 * Messenger Platform format (providers.md §2.6). Objects are loose: Meta adds fields without notice and
 * we keep every event verbatim as `raw`, so only the fields the normaliser reads are typed.
 */

// Below this a number is read as seconds: 1e11 s is the year 5138, 1e11 ms is March 1973, and no
// Messenger event predates 2011.
const SECONDS_BELOW = 1e11;
const DIGITS = /^\d{1,16}(\.\d+)?$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
// The JavaScript Date range; anything outside it is not a time.
const MAX_MS = 8.64e15;

/**
 * A Meta time as epoch milliseconds. Meta documents numbers of **milliseconds** (`1458692752478`), but
 * the postback reference sends a string of seconds (`"1527459824"`), watermarks arrive as strings of
 * milliseconds in test payloads, and test payloads also use ISO 8601 (`2021-09-08T06:34:04+0000`). A
 * number, or a string of digits, below 1e11 is seconds, otherwise milliseconds; any other string must
 * be an ISO 8601 date-time. Undefined when the value is none of these.
 */
export function metaTimeMs(value: number | string): number | undefined {
  let ms: number;
  if (typeof value === 'number' || DIGITS.test(value)) {
    const n = Number(value);
    ms = Math.round(n < SECONDS_BELOW ? n * 1000 : n);
  } else {
    if (!ISO_DATE_TIME.test(value)) return undefined;
    // `+0000` (no colon) is what Meta's Graph API writes; Date.parse takes it, but be explicit.
    ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  }
  return Number.isFinite(ms) && ms > 0 && ms < MAX_MS ? ms : undefined;
}

/** A time in any of the forms {@link metaTimeMs} reads. */
export const MetaTimeSchema = z
  .union([z.number(), z.string()])
  .check(
    z.refine((value) => metaTimeMs(value) !== undefined, 'expected epoch milliseconds, seconds or ISO 8601'),
  );

/** One side of an event: a person (PSID / IGSID) or the business (Page id / IG professional account id). */
export const MetaPartySchema = z
  .looseObject({
    id: optionalNonEmptyString,
    /** Instead of `id` for people reached through the checkbox plugin or chat plugin (no PSID yet). */
    user_ref: optionalNonEmptyString,
  })
  .check(
    z.refine((party) => party.id !== undefined || party.user_ref !== undefined, 'needs an id or a user_ref'),
  );
export type MetaParty = z.infer<typeof MetaPartySchema>;

/**
 * `message.attachments[]`. Types: image, audio, video, file, reel, ig_reel, post, ig_post, share,
 * story_mention, ig_story, template (echoes), fallback (shared links; may have no payload),
 * appointment_booking... an open set.
 */
export const MetaAttachmentSchema = z.looseObject({
  type: nonEmptyString,
  payload: z.optional(
    z.nullable(
      z.looseObject({
        /** The CDN URL of the media; expires. Absent on templates. */
        url: optionalString,
        /** ig_post / ig_reel / fallback. */
        title: optionalString,
        /** Messenger stickers arrive as `image` with a sticker id (369239263222822 is the thumbs-up). */
        sticker_id: z.optional(z.union([z.number(), z.string()])),
        ig_post_media_id: optionalString,
        reel_video_id: optionalString,
        /** ig_story: the story's id and URL (no `url`). */
        story_media_id: optionalString,
        story_media_url: optionalString,
      }),
    ),
  ),
  /** Legacy fallback attachments carry title and url beside the payload. */
  title: optionalString,
  url: optionalString,
});
export type MetaAttachment = z.infer<typeof MetaAttachmentSchema>;

/** Ad, m.me / ig.me link or QR code a person came from: `{ref, source, type, ad_id, ...}`. */
export const MetaReferralSchema = z.looseObject({
  ref: optionalString,
  source: optionalString,
  type: optionalString,
});

/** `message`: from a person, or with `is_echo` sent by the business (any app, or Meta's own inbox). */
export const MetaMessageSchema = z.looseObject({
  /** The message id; the Send API returns the same id as `message_id`. */
  mid: nonEmptyString,
  text: optionalString,
  /** Sender is the business, recipient the person. */
  is_echo: optionalBoolean,
  /** On echoes: the app that sent it (a number); Meta's inbox and the Pages app have their own ids. */
  app_id: z.optional(z.union([z.number(), z.string()])),
  /** On echoes: the `metadata` string the sending app attached. */
  metadata: optionalString,
  quick_reply: z.optional(z.looseObject({ payload: z.string() })),
  /** A reply to an earlier message (`mid`) or, on Instagram, to a story (`story: {id, url}`). */
  reply_to: z.optional(
    z.looseObject({
      mid: optionalString,
      is_self_reply: optionalBoolean,
      story: z.optional(z.looseObject({ id: optionalString, url: optionalString })),
    }),
  ),
  attachments: z.optional(z.array(MetaAttachmentSchema)),
  /** Messenger: a sticker's id, also on its attachment; read, never required to be of a type. */
  sticker_id: z.optional(z.unknown()),
  /** Instagram: the person unsent the message `mid` [S: IG examples]. */
  is_deleted: optionalBoolean,
  /** Instagram: a message type the API cannot show (GIFs, some stickers). */
  is_unsupported: optionalBoolean,
  referral: z.optional(MetaReferralSchema),
});
export type MetaMessage = z.infer<typeof MetaMessageSchema>;

/**
 * `delivery` (Messenger), `read` (Messenger `message_reads`) and Instagram `messaging_seen`. Messenger
 * always sends `watermark` (everything sent before it is delivered/read) and only sometimes `mids`;
 * Instagram's `read` names one `mid`.
 */
export const MetaReceiptSchema = z
  .looseObject({
    mids: z.optional(z.array(nonEmptyString)),
    mid: optionalNonEmptyString,
    watermark: z.optional(MetaTimeSchema),
  })
  .check(
    z.refine(
      (receipt) =>
        Boolean(receipt.mids?.length) || receipt.mid !== undefined || receipt.watermark !== undefined,
      'a receipt needs mids, a mid or a watermark',
    ),
  );
export type MetaReceipt = z.infer<typeof MetaReceiptSchema>;

/** `reaction`: to the message `mid`; `unreact` may omit `emoji` and `reaction`. */
export const MetaReactionSchema = z.looseObject({
  mid: nonEmptyString,
  action: z.enum(['react', 'unreact']),
  /** The emoji itself (`❤️`). */
  emoji: optionalString,
  /** smile, angry, sad, wow, love, like, dislike, other (IG also laugh). */
  reaction: optionalString,
});
export type MetaReaction = z.infer<typeof MetaReactionSchema>;

/** `postback`: a postback button, Get Started, persistent menu item or IG icebreaker was tapped. */
export const MetaPostbackSchema = z.looseObject({
  /** Only from v11.0 (IG) and recent Messenger versions. */
  mid: optionalNonEmptyString,
  title: optionalString,
  /** Only sent to the app that sent the button. */
  payload: optionalString,
  referral: z.optional(MetaReferralSchema),
});
export type MetaPostback = z.infer<typeof MetaPostbackSchema>;

/** `message_edit` (Messenger `message_edits`): the new text of message `mid`, edited `num_edit` times. */
export const MetaMessageEditSchema = z.looseObject({
  mid: nonEmptyString,
  text: optionalString,
  /** An integer; the reference's example writes it as a string. */
  num_edit: z.optional(
    z.union([z.number().check(z.int(), z.nonnegative()), z.string().check(z.regex(/^\d+$/))]),
  ),
});
export type MetaMessageEdit = z.infer<typeof MetaMessageEditSchema>;

/**
 * One item of `entry[].messaging[]` or `entry[].standby[]`, or the `value` of an `entry[].changes[]`
 * item. Exactly one of the event properties is expected; kinds we do not read (optin,
 * account_linking, pass_thread_control...) still parse. `sender` is optional here so that an event
 * without one is reported with a reason rather than a schema message.
 */
export const MetaMessagingEventSchema = z.looseObject({
  sender: z.optional(MetaPartySchema),
  recipient: z.optional(MetaPartySchema),
  /** Milliseconds; seconds or ISO in some payloads (see metaTimeMs). Absent on some delivery events. */
  timestamp: z.optional(MetaTimeSchema),
  message: z.optional(MetaMessageSchema),
  delivery: z.optional(MetaReceiptSchema),
  read: z.optional(MetaReceiptSchema),
  reaction: z.optional(MetaReactionSchema),
  postback: z.optional(MetaPostbackSchema),
  message_edit: z.optional(MetaMessageEditSchema),
  /** `messaging_referrals`: a person already in the thread followed a link or ad again. */
  referral: z.optional(MetaReferralSchema),
});
export type MetaMessagingEvent = z.infer<typeof MetaMessagingEventSchema>;

/** `entry[].changes[]`: the Graph shape, used by Meta's dashboard test events and some IG fields. */
export const MetaChangeSchema = z.looseObject({
  field: optionalString,
  value: z.optional(z.unknown()),
});

/** One Page or IG account; `entry` is an array and may hold several, each with several events. */
export const MetaEntrySchema = z.looseObject({
  /** The Page id (Messenger) or IG professional account id (Instagram): our account. */
  id: optionalNonEmptyString,
  /** When Meta sent the notification, not when the event happened; only a fallback. */
  time: z.optional(MetaTimeSchema),
  messaging: z.optional(z.array(MetaMessagingEventSchema)),
  /** Handover protocol: events for an app that does not control the thread. */
  standby: z.optional(z.array(MetaMessagingEventSchema)),
  changes: z.optional(z.array(MetaChangeSchema)),
});
export type MetaEntry = z.infer<typeof MetaEntrySchema>;

/** A whole webhook body. */
export const MetaMessagingWebhookSchema = z.looseObject({
  object: z.enum(['page', 'instagram']),
  entry: z.array(MetaEntrySchema),
});
export type MetaMessagingWebhook = z.infer<typeof MetaMessagingWebhookSchema>;
