import * as z from 'zod';
import {
  AttachmentSchema,
  type Channel,
  ChannelSchema,
  ContentTypeSchema,
  DeliveryStatusSchema,
  DirectionSchema,
  IdentitySchema,
  ProviderErrorSchema,
} from './envelope.js';
import { PrioritySchema } from './sla/policy.js';
import { SlaStateSchema } from './sla/state.js';

/** One entry of a customer's timeline, as agents read it. */
export const TimelineItemSchema = z.object({
  /** Stable, derived from the provider's ids: `<channel>:<providerMessageId>` for messages. */
  id: z.string(),
  type: z.enum(['message', 'note', 'event']),
  channel: z.optional(ChannelSchema),
  direction: z.optional(DirectionSchema),
  text: z.string().optional(),
  at: z.iso.datetime(),
  /**
   * When the resolver first received a customer's message timed at or before the resolve it came after
   * (WhatsApp times to the second; a phone may send before the resolve and deliver after): that it came
   * after the resolve, which its time does not say, reopened the conversation. Kept, so a redelivery
   * decides as the first delivery did.
   */
  receivedAt: z.iso.datetime().optional(),
  /**
   * When the delivery that wrote a customer's message or voicemail read it, right before routing it
   * (written once, with the item): the AI's 5 minutes of patience count from it, not from the
   * provider's time, so a provider's retry found while the first delivery is routing is no AI failure.
   */
  storedAt: z.iso.datetime().optional(),
  customerId: z.string(),
  conversationId: z.string().optional(),
  providerMessageId: z.string().optional(),
  from: z.optional(IdentitySchema),
  /**
   * Web-chat replies: the visitor's web-chat identity the reply is for (`webchat_user` or
   * `webchat_visitor`); only that visitor's sessions show it. Email replies: the address the mail went
   * to (a Reply-To, see replyDestination). Replies on the other channels: the number (on WhatsApp in
   * WhatsApp's own form) or page-scoped id they went to (replies stored before 2026-12-06 have none); an
   * unmerge gives a reply back with the customer it names. Outgoing calls (an agent's call-back): the customer called,
   * their `from` our number (calls stored before named the customer in `from`). Echoes of the
   * business's own app (outbound messages that are not our replies): the customer they went to, with
   * no `from`. Inbound SMS, Twilio WhatsApp and calls: our number written to or called (SMS replies: in `from`, when known).
   */
  to: z.optional(IdentitySchema),
  contentType: z.optional(ContentTypeSchema),
  attachments: z.array(AttachmentSchema).optional(),
  replyTo: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  /** Outbound messages only; moves forward only (see statusRank). */
  status: z.optional(DeliveryStatusSchema),
  statusAt: z.iso.datetime().optional(),
  errors: z.array(ProviderErrorSchema).optional(),
  /** For events: what happened (reaction, edit, delete, call, identity_changed, ...). */
  event: z.string().optional(),
  targetMessageId: z.string().optional(),
  emoji: z.string().optional(),
  /**
   * The customer deleted (unsent) this message: its words, attachments, data and raw payload are gone
   * from the store; the item, its time and ids stay. `deletedAt`: when the deletion was received.
   */
  deleted: z
    .literal(true)
    .optional()
    .describe(
      'the customer deleted (unsent) this message: its text, attachments and data are no longer held',
    ),
  deletedAt: z.iso
    .datetime()
    .optional()
    .describe('when the customer’s deletion of this message was received'),
  /** A message whose edit came before it: it was stored with the edit's text, and this is the edit's time. */
  editedAt: z.iso
    .datetime()
    .optional()
    .describe(
      'the customer edited this message before it reached us: `text` is the edited text, of this time',
    ),
  /**
   * An edit event that came before its message, or names a message not the customer's: no
   * `message.edited` went out for it; the message, if it comes, is stored with its text (`editedAt`).
   */
  held: z
    .literal(true)
    .optional()
    .describe('an edit that came before its message (or names another’s): the message carries its text'),
});
export type TimelineItem = z.infer<typeof TimelineItemSchema>;

/**
 * A stored timeline item's image with the fields its key says: an item may leave out its `id` and
 * `customerId` (its key is `CUSTOMER#<customer id>`, `TIMELINE#<at>#<id>`), and readers restore them.
 */
export function withKeyFields(
  image: Record<string, unknown>,
  keys: { pk?: unknown; sk?: unknown },
): Record<string, unknown> {
  if (typeof image.id === 'string' && typeof image.customerId === 'string') return image;
  const [pk, sk] = [String(keys.pk ?? ''), String(keys.sk ?? '')];
  const idAt = sk.startsWith('TIMELINE#') ? sk.indexOf('#', 'TIMELINE#'.length) + 1 : 0;
  return {
    ...image,
    ...(typeof image.id !== 'string' && idAt > 0 ? { id: sk.slice(idAt) } : {}),
    ...(typeof image.customerId !== 'string' && pk.startsWith('CUSTOMER#')
      ? { customerId: pk.slice('CUSTOMER#'.length) }
      : {}),
  };
}

/** A stored timeline item's image (a change record's, a query's) as the item readers see, or undefined. */
export function timelineItemOfImage(
  image: Record<string, unknown>,
  keys: { pk?: unknown; sk?: unknown },
): TimelineItem | undefined {
  const parsed = TimelineItemSchema.safeParse(withKeyFields(image, keys));
  return parsed.success ? parsed.data : undefined;
}

/**
 * A timeline item read with the time in its stored key: an AI reply is placed 1 ms after the message
 * it answers, not at its `at`, and its reply key names that place.
 */
export interface PlacedTimelineItem {
  item: TimelineItem;
  placedAt: string;
}

/** The time in a timeline sort key (`TIMELINE#<at>#<item id>`) of the item `itemId`, or undefined. */
export function timelineAtOf(sk: string, itemId: string): string | undefined {
  const suffix = `#${itemId}`;
  if (!sk.startsWith('TIMELINE#') || !sk.endsWith(suffix)) return undefined;
  const at = sk.slice('TIMELINE#'.length, sk.length - suffix.length);
  return at || undefined;
}

/** Orders timeline items oldest first (a comparator for sort). */
export const byTime = (a: TimelineItem, b: TimelineItem): number => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);

/** The conversation an item belongs to; events such as `assigned` carry it in their data. */
export function conversationOf(item: TimelineItem): string | undefined {
  if (item.conversationId) return item.conversationId;
  const id = item.data?.conversationId;
  return typeof id === 'string' ? id : undefined;
}

/** Who wrote a reply or a note (`agent`, `ai`), from the author its data carries. */
export function authorKind(item: TimelineItem): string | undefined {
  const author = item.data?.author;
  const kind =
    typeof author === 'object' && author !== null ? (author as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? kind : undefined;
}

/**
 * One of a customer's identities: `value` is its key form; `display`, when it differs, how people
 * write it (an email address whose domain the key holds in Punycode, `ute@xn--mnchen-3ya.de`, as
 * `ute@münchen.de`).
 */
export const CustomerIdentitySchema = z.object({
  kind: IdentitySchema.shape.kind,
  value: IdentitySchema.shape.value,
  display: z.string().optional(),
});

/** A customer as agents see it. */
export const CustomerSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  identities: z.array(CustomerIdentitySchema),
  channels: z.array(ChannelSchema),
  createdAt: z.iso.datetime(),
  lastInboundAt: z.iso.datetime().optional(),
  lastInboundChannel: z.optional(ChannelSchema),
  /** When the customer last wrote on each channel: the providers' reply windows run from it. */
  lastInboundByChannel: z.partialRecord(ChannelSchema, z.iso.datetime()).default({}),
  openConversationId: z.string().optional(),
  /** Labels agents give the customer (e.g. `vip`, which the routing policy can escalate on). */
  tags: z.array(z.string()).default([]),
  /** Set when an agent merged this customer into another: reads follow it. */
  mergedInto: z.string().optional(),
  mergedFrom: z.array(z.string()).default([]), // customers merged into this one
  /** The agent whose reply was last queued to this customer, and when: assignment prefers them. */
  lastAgentId: z.string().optional(),
  lastAgentAt: z.iso.datetime().optional(),
  /**
   * Unverified: the email an anonymous web-chat visitor typed in the pre-chat form (the latest), for
   * agents to read and write to by hand. Never an identity: it merges nobody and receives no reply.
   */
  typedEmail: z
    .string()
    .optional()
    .describe(
      'unverified: the email an anonymous web-chat visitor typed in the pre-chat form; never an identity (it merges nobody and no reply goes to it)',
    ),
  /**
   * The number the customer last wrote from on WhatsApp, as WhatsApp writes it (a Brazilian id without
   * its ninth digit, a Mexican one with its `1`, an Argentine one with its 9): WhatsApp replies go to it.
   */
  whatsappAddress: z
    .string()
    .optional()
    .describe(
      "the number (E.164) the customer last wrote from on WhatsApp, as WhatsApp writes it (Brazil's ninth digit, Mexico's 1, Argentina's 9); WhatsApp replies go to it. Set by a WhatsApp number change (`user_changed_number`) to the new number",
    ),
  /** The number the customer last texted from: SMS replies go to it. */
  smsAddress: z
    .string()
    .optional()
    .describe('the number (E.164) the customer last texted from: SMS replies go to it'),
  /** Our number (E.164, or a short code) that SMS was sent to: SMS replies go from it. */
  smsBusinessNumber: z
    .string()
    .optional()
    .describe(
      "our number (E.164, or one of our short codes) the customer last texted (Twilio's `To`): SMS replies go from it; absent, from TWILIO_FROM_NUMBER",
    ),
  /**
   * When a reply WhatsApp later failed as sent outside the customer's 24-hour window (131047) was
   * written: WhatsApp takes only templates from then until the customer writes there again.
   */
  whatsappWindowClosedAt: z.iso
    .datetime()
    .optional()
    .describe(
      "the time of a reply WhatsApp failed as outside the customer's 24-hour window (error 131047): until the customer writes on WhatsApp after it, only a template may go there (`whatsapp_window_closed`)",
    ),
  /**
   * `twilio` when the customer's latest WhatsApp message came through Twilio: replies on WhatsApp then
   * have Twilio's limits (1,600 characters a message). Absent: the Cloud API's.
   */
  whatsappProvider: z
    .enum(['twilio'])
    .optional()
    .describe(
      "`twilio` when the customer's latest WhatsApp message came through Twilio: WhatsApp replies then take at most 1,600 characters (Twilio's limit); absent for the Cloud API",
    ),
});
export type Customer = z.infer<typeof CustomerSchema>;

/** A conversation: one open at a time per customer, whatever the channel. */
export const ConversationSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  status: z.enum(['open', 'resolved']),
  channel: z.optional(ChannelSchema),
  createdAt: z.iso.datetime(),
  lastMessageAt: z.iso.datetime().optional(),
  /** The time of the customer's latest message in it (forward only): a reply looks for its thread from there. */
  lastInboundAt: z.iso.datetime().optional(),
  /** The first words of the customer's first message in it (an email's subject), at most 60 characters
   * (`previewOf`), written with its touch; absent from before it and where the customer has not written. */
  preview: z.string().optional(),
  language: z.string().optional(), // decided per opening by the first customer message telling one (languageOfMessage)
  languageBefore: z.string().optional(), // the one it had before the message that last reopened it
  /** Its web-chat page's language (`fr` of `<html lang="fr-CA">`): its language when no message tells one. */
  languageHint: z.string().optional(),
  /**
   * The time of the customer's oldest message not answered yet (an agent's or the AI's reply sent);
   * unset once answered, set again by their next message.
   */
  waitingSince: z.iso.datetime().optional(),
  /** The end of the missed call this wait is for, once settled (`missed-call.ts`); unset by its answer or resolve. */
  missedCallAt: z.iso.datetime().optional(),
  /** The time of the latest reply that answered the customer (agent or AI, sent). */
  answeredAt: z.iso.datetime().optional(),
  assignee: z.string().optional(),
  queue: z.string().optional(),
  /** Every channel the customer wrote on in this conversation; more than one flags a channel switch. */
  channels: z.array(ChannelSchema).default([]),
  channelSwitch: z.boolean().default(false),
  resolvedAt: z.iso.datetime().optional(),
  /** The conversation this one follows, when the customer came back after the reopen window. */
  previousConversationId: z.string().optional(),
  /** The conversations a merge joined into this one (see `describe`). */
  mergedConversationIds: z
    .array(z.string())
    .optional()
    .describe(
      "the conversations a merge of customers joined into this one (the merged-away customer's open conversation, resolved by the merge); an email reply here continues their mail thread",
    ),
  priority: PrioritySchema.optional(), // unset is normal; an SLA breach can raise it
  /** Its SLA: the policy, the running deadlines, hit or missed, the breaches. */
  sla: SlaStateSchema.optional(),
  /** Out of the inbox until then, or until the customer writes. */
  snoozedUntil: z.iso.datetime().optional(),
  /** Since the last reply, while waiting on the customer (auto-resolve counts from it). */
  awaitingCustomerSince: z.iso.datetime().optional(),
  /**
   * Who answered the customer since it was opened or reopened: `agent` once a person did, else `ai` once
   * the AI did; unset while nobody has (the survey after a resolve asks only about an answer given).
   */
  answeredBy: z.enum(['agent', 'ai']).optional(),
  /**
   * The agent who last answered the customer from the console in this opening (a reopen clears it): whom
   * the metrics credit once nobody has the conversation. Unset on answers before 2026-12-06.
   */
  humanAnswerBy: z.string().optional(),
  /** When a person first answered it (the first response a person gave; the metrics count it once). */
  firstHumanResponseAt: z.iso.datetime().optional(),
  /**
   * Written by a resolve: when the opening it ended began at the latest (the resolve before it, else the
   * conversation's start). An answer after it (`answeredAt`) answered that opening.
   */
  openedFrom: z.iso.datetime().optional(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

/**
 * Adds a `channel_switch` event before every inbound message that arrived on another channel than
 * the inbound message before it. Derived when the timeline is read, so it is the same whatever order
 * the messages were stored in; `previousInbound` carries the last channel across pages.
 */
export function withChannelSwitches(
  items: readonly TimelineItem[],
  previousInbound?: Channel,
): { items: TimelineItem[]; lastInbound?: Channel } {
  const out: TimelineItem[] = [];
  let last = previousInbound;
  for (const item of items) {
    if (item.type === 'message' && item.direction === 'inbound' && item.channel) {
      if (last && last !== item.channel) {
        out.push({
          id: `switch:${item.id}`,
          type: 'event',
          event: 'channel_switch',
          channel: item.channel,
          at: item.at,
          customerId: item.customerId,
          ...(item.conversationId ? { conversationId: item.conversationId } : {}),
          data: { from: last, to: item.channel },
        });
      }
      last = item.channel;
    }
    out.push(item);
  }
  return { items: out, ...(last ? { lastInbound: last } : {}) };
}

/** One page of a customer's timeline, as the store answers it (`from`: the first page starts at that time). */
export type TimelinePageReader = (
  customerId: string,
  page: { limit: number; cursor?: string | undefined; from?: string | undefined },
) => Promise<{ items: TimelineItem[]; cursor: string | null }>;

/** A span of a customer's timeline: its items, and whether the bound stopped the read before its end. */
export interface TimelineSpan {
  items: TimelineItem[];
  /** The item bound was reached with more to read: the items stop at `reachedAt`, the last one's time. */
  truncated: boolean;
  reachedAt?: string;
}

/**
 * A customer's timeline read page by page (200 items a page), oldest first, from the time `from` when
 * given (a key condition: nothing before it is read), until an item after `until` (an ISO time), or
 * until at least `maxItems` items are read (then `truncated`).
 */
export async function readTimelineSpan(
  read: TimelinePageReader,
  customerId: string,
  bounds: { from?: string; until?: string; maxItems?: number; maxPages?: number } = {},
): Promise<TimelineSpan> {
  const items: TimelineItem[] = [];
  let cursor: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await read(customerId, {
      limit: 200,
      cursor,
      ...(cursor === undefined && bounds.from ? { from: bounds.from } : {}),
    });
    const { until } = bounds;
    const past = until === undefined ? -1 : page.items.findIndex((item) => item.at > until);
    items.push(...(past < 0 ? page.items : page.items.slice(0, past)));
    cursor = page.cursor ?? undefined;
    if (!cursor || past >= 0) return { items, truncated: false };
    if (pages >= (bounds.maxPages ?? Infinity) || items.length >= (bounds.maxItems ?? Infinity)) {
      const reachedAt = items.at(-1)?.at;
      return { items, truncated: true, ...(reachedAt ? { reachedAt } : {}) };
    }
  }
}

/**
 * A customer's timeline read page by page (200 items a page), oldest first: all of it, or up to
 * `maxPages` pages, or until at least `maxItems` items are read. The bounds keep reads finite.
 */
export async function readTimelinePages(
  read: TimelinePageReader,
  customerId: string,
  bounds: { maxPages?: number; maxItems?: number } = {},
): Promise<TimelineItem[]> {
  return (await readTimelineSpan(read, customerId, bounds)).items;
}
