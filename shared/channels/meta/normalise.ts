import * as z from 'zod/mini';
import type {
  Attachment,
  ContentType,
  DeliveryStatus,
  EnvelopeInput,
  Identity,
  MessageEnvelopeInput,
} from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';
import { hot } from '#shared/validation/hot.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '#shared/validation/json-depth.js';
import {
  type BodyContext,
  collect,
  isRecord,
  type Normalised,
  optional,
  RejectedItem,
  rejectInvalid,
} from '../normalised.js';
import {
  type MetaAttachment,
  MetaChangeSchema,
  MetaEntrySchema,
  type MetaMessage,
  type MetaMessageEdit,
  type MetaMessagingEvent,
  MetaMessagingEventSchema,
  MetaMessagingWebhookSchema,
  type MetaParty,
  type MetaPostback,
  type MetaReaction,
  type MetaReceipt,
  MetaTimeSchema,
  metaTimeMs,
} from './schema.js';

// Containers are parsed one level at a time, each event on its own, so that one malformed event
// costs only itself and not the rest of the batch.
const BodyShellSchema = z.extend(MetaMessagingWebhookSchema, { entry: z.array(z.unknown()) });
const EntryShellSchema = z.extend(MetaEntrySchema, {
  // Only a fallback for events without a timestamp: a bad one must not cost the entry.
  time: z.catch(z.optional(MetaTimeSchema), undefined),
  messaging: z.optional(z.array(z.unknown())),
  standby: z.optional(z.array(z.unknown())),
  changes: z.optional(z.array(z.unknown())),
});

// Built once: a zod schema compiles on its first parse.
const ObjectKindSchema = z.looseObject({ object: z.enum(['page', 'instagram']) });

// What every delivery parses, compiled once the function is warm.
const ObjectKind = hot(ObjectKindSchema);
const BodyShell = hot(BodyShellSchema);
const EntryShell = hot(EntryShellSchema);
const Change = hot(MetaChangeSchema);
const MessagingEvent = hot(MetaMessagingEventSchema);

type MetaChannel = 'messenger' | 'instagram';
const CHANNEL_OF = { page: 'messenger', instagram: 'instagram' } as const satisfies Record<
  string,
  MetaChannel
>;

/** What every event of one entry shares. */
interface Scope {
  ctx: BodyContext;
  channel: MetaChannel;
  /** The Page or IG account the entry is for. */
  entryId: string | undefined;
  entryTimeMs: number | undefined;
}

/** One event, located and parsed, with who is who in it. */
interface Event {
  event: MetaMessagingEvent;
  raw: unknown;
  scope: Scope;
  pointer: string;
  standby: boolean;
  /** The event's own time in epoch ms, if it has one. */
  timeMs: number | undefined;
  /** The sender's id (or `user_ref:<ref>`), for ids of events Meta gave none. */
  senderKey: string | undefined;
  sides: Sides;
}

/**
 * Turns a Messenger (`object: page`) or Instagram (`object: instagram`) webhook body into envelopes:
 * every entry, every `messaging[]`, `standby[]` and `changes[]` event. Pure and deterministic: the same
 * body always yields the same envelopes. Throws ValidationError only when the body is neither; a
 * malformed or unusable event is skipped and reported in `rejected`, never dropped silently.
 */
export function normaliseMetaMessaging(payload: unknown, ctx: BodyContext): Normalised {
  const kind = ObjectKind.safeParse(payload);
  if (!kind.success) {
    throw new ValidationError('not a Messenger or Instagram webhook', { cause: kind.error });
  }
  if (nestsDeeperThan(payload, MAX_JSON_DEPTH)) {
    throw new ValidationError(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const channel = CHANNEL_OF[kind.data.object];
  const out: Normalised = { envelopes: [], rejected: [] };
  const body = BodyShell.safeParse(payload);
  if (!body.success) {
    rejectInvalid(out, '', body.error);
    return out;
  }
  for (const [i, rawEntry] of body.data.entry.entries()) {
    const entry = EntryShell.safeParse(rawEntry);
    if (!entry.success) {
      rejectInvalid(out, `/entry/${i}`, entry.error);
      continue;
    }
    const { id, time, messaging, standby, changes } = entry.data;
    const scope: Scope = {
      ctx,
      channel,
      entryId: id,
      entryTimeMs: time === undefined ? undefined : metaTimeMs(time),
    };
    for (const [list, items] of [
      ['messaging', messaging],
      ['standby', standby],
    ] as const) {
      items?.forEach((raw, k) => {
        const pointer = `/entry/${i}/${list}/${k}`;
        collect(out, pointer, () => eventEnvelopes(raw, scope, pointer, list === 'standby'));
      });
    }
    changes?.forEach((rawChange, j) => {
      const pointer = `/entry/${i}/changes/${j}`;
      const change = Change.safeParse(rawChange);
      if (!change.success) {
        rejectInvalid(out, pointer, change.error);
        return;
      }
      const { field, value } = change.data;
      // The Graph `changes` shape carries a messaging event as its value (dashboard test events); other
      // fields (comments, mentions...) are not conversations and are reported, not guessed at.
      if (!isRecord(value) || !('sender' in value || 'recipient' in value)) {
        const named = field ? ` ${field.slice(0, 64)}` : '';
        out.rejected.push({ pointer, reason: `change${named} carries no messaging event` });
        return;
      }
      collect(out, `${pointer}/value`, () =>
        eventEnvelopes(value, scope, `${pointer}/value`, field === 'standby'),
      );
    });
  }
  return out;
}

function eventEnvelopes(raw: unknown, scope: Scope, pointer: string, standby: boolean): EnvelopeInput[] {
  const event = MessagingEvent.parse(raw);
  const e: Event = {
    event,
    raw,
    scope,
    pointer,
    standby,
    timeMs: event.timestamp === undefined ? undefined : metaTimeMs(event.timestamp),
    senderKey: partyKey(event.sender),
    sides: sidesOf(event, scope),
  };
  if (event.message) return messageEnvelopes(e, event.message);
  if (event.message_edit) return [editEnvelope(e, event.message_edit)];
  if (event.reaction) return [reactionEnvelope(e, event.reaction)];
  if (event.delivery) return receiptEnvelopes(e, event.delivery, 'delivered');
  if (event.read) return receiptEnvelopes(e, event.read, 'read');
  if (event.postback) return [postbackEnvelope(e, event.postback)];
  if (event.referral) {
    return [
      eventMessage(e, `referral:${e.senderKey}:${timeKey(e)}`, 'referral', { referral: event.referral }),
    ];
  }
  return [unknownEventEnvelope(e)];
}

interface Sides {
  /** Our side: the Page or IG account id. */
  account: string | undefined;
  /** The person, as `<account>:<scoped id>`. */
  customer: Identity | undefined;
  /** The business sent this event (an echo, or an act of the Page itself). */
  byBusiness: boolean;
}

/**
 * Who is who. The entry id names our Page or IG account: whichever side of the event carries it is the
 * business and the other side is the customer, so the business is never taken for a customer even when
 * a payload's `is_echo` disagrees with its sides (a peer test payload does). When the entry names
 * neither side (test payloads), `is_echo` decides: an echo is sent by the business to the recipient.
 */
function sidesOf(event: MetaMessagingEvent, scope: Scope): Sides {
  const sender = partyKey(event.sender);
  const recipient = partyKey(event.recipient);
  const { entryId } = scope;
  const byBusiness =
    entryId !== undefined && sender === entryId && recipient !== entryId
      ? true
      : entryId !== undefined && recipient === entryId
        ? false
        : event.message?.is_echo === true;
  const account = entryId ?? (byBusiness ? sender : recipient);
  const person = byBusiness ? recipient : sender;
  return {
    account,
    customer: account && person ? { kind: scope.channel, value: `${account}:${person}` } : undefined,
    byBusiness,
  };
}

/** A party's scoped id; people known only by a plugin `user_ref` get a prefix so ids never collide. */
function partyKey(party: MetaParty | undefined): string | undefined {
  if (party?.id !== undefined) return party.id;
  return party?.user_ref !== undefined ? `user_ref:${party.user_ref}` : undefined;
}

function customerOf(e: Event): Identity {
  if (e.sides.customer) return e.sides.customer;
  throw new RejectedItem(
    e.sides.account === undefined
      ? 'no page or account id (entry.id, sender.id, recipient.id)'
      : 'no person id (sender.id or recipient.id)',
  );
}

function messageEnvelopes(e: Event, message: MetaMessage): EnvelopeInput[] {
  const customer = customerOf(e);
  const { channel } = e.scope;
  const direction = e.sides.byBusiness || message.is_echo === true ? 'outbound' : 'inbound';
  if (message.is_deleted === true) {
    const key = `delete:${message.mid}`;
    if (direction === 'outbound') return [businessAct(e, key, 'delete', { targetMessageId: message.mid })];
    return [
      {
        id: `${channel}:${key}`,
        ...base(e),
        kind: 'delete',
        providerMessageId: key,
        targetMessageId: message.mid,
        customer,
      },
    ];
  }
  const content = messageContent(message);
  const data = {
    ...content.data,
    ...optional('quickReply', message.quick_reply?.payload),
    ...optional('story', message.reply_to?.story),
    ...optional('referral', message.referral ?? e.event.referral),
    // Which app sent an echo: ours (a reply we already hold), Meta's inbox, or another app.
    ...optional('appId', message.app_id === undefined ? undefined : String(message.app_id)),
    ...optional('metadata', message.metadata),
    ...(e.standby ? { standby: true } : {}),
  };
  return [
    {
      id: `${channel}:msg:${message.mid}`,
      ...base(e),
      kind: 'message',
      direction,
      providerMessageId: message.mid,
      customer,
      contentType: content.contentType,
      ...optional('text', message.text),
      attachments: content.attachments,
      ...optional('replyTo', message.reply_to?.mid),
      ...(Object.keys(data).length > 0 ? { data } : {}),
    },
  ];
}

/**
 * How Meta attachment types become envelope attachments. Types with no medium of their own (share,
 * post, ig_post, story_mention, ig_story, fallback, appointment_booking, anything new) are `file`s
 * whose URL points at the shared thing; `data.attachmentTypes` keeps Meta's type for each.
 */
const KIND_BY_TYPE: Readonly<Record<string, Attachment['kind']>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'file',
  reel: 'video',
  ig_reel: 'video',
};

const CONTENT_BY_KIND: Readonly<Record<Attachment['kind'], ContentType>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  sticker: 'sticker',
  file: 'document',
  document: 'document',
};

interface MessageContent {
  contentType: ContentType;
  attachments: Attachment[];
  data: Record<string, unknown>;
}

function messageContent(message: MetaMessage): MessageContent {
  const items = message.attachments ?? [];
  const attachments = items.map(attachmentOf).filter((a): a is Attachment => a !== undefined);
  const first = attachments[0];
  const contentType: ContentType =
    message.is_unsupported === true
      ? 'unsupported'
      : first
        ? CONTENT_BY_KIND[first.kind]
        : items.some((item) => item.type === 'template')
          ? 'interactive'
          : message.text !== undefined
            ? 'text'
            : 'unsupported';
  return {
    contentType,
    attachments,
    data: items.length > 0 ? { attachmentTypes: items.map((item) => item.type) } : {},
  };
}

/** An attachment we can point at (a URL or a media id); templates and empty fallbacks have neither. */
function attachmentOf(item: MetaAttachment): Attachment | undefined {
  const payload = item.payload ?? undefined;
  const url = payload?.url || payload?.story_media_url || item.url || undefined;
  const mediaId = payload?.ig_post_media_id ?? payload?.reel_video_id ?? payload?.story_media_id;
  if (url === undefined && mediaId === undefined) return undefined;
  const kind =
    item.type === 'image' && payload?.sticker_id !== undefined
      ? 'sticker'
      : (KIND_BY_TYPE[item.type] ?? 'file');
  return {
    kind,
    ...optional('mediaId', mediaId),
    ...optional('url', url),
    ...optional('caption', payload?.title ?? item.title),
  };
}

function editEnvelope(e: Event, edit: MetaMessageEdit): EnvelopeInput {
  const key = `edit:${edit.mid}:${edit.num_edit ?? timeKey(e)}`;
  // Meta sends edits by customers only; one by the business is kept, marked, as its own act.
  if (e.sides.byBusiness) return businessAct(e, key, 'edit', { targetMessageId: edit.mid });
  return {
    id: `${e.scope.channel}:${key}`,
    ...base(e),
    kind: 'edit',
    providerMessageId: key,
    targetMessageId: edit.mid,
    customer: customerOf(e),
    ...optional('text', edit.text),
  };
}

function reactionEnvelope(e: Event, reaction: MetaReaction): EnvelopeInput {
  // A reaction has no id of its own, and unreact then react again reuses the same mid.
  const key = `reaction:${reaction.mid}:${e.senderKey}:${reaction.action}:${timeKey(e)}`;
  if (e.sides.byBusiness) return businessAct(e, key, 'reaction', { ...reaction });
  // `emoji` absent means removed, so a reaction without the emoji keeps its name (love, like...).
  const emoji = reaction.action === 'unreact' ? undefined : reaction.emoji || reaction.reaction || 'other';
  return {
    id: `${e.scope.channel}:${key}`,
    ...base(e),
    kind: 'reaction',
    providerMessageId: key,
    targetMessageId: reaction.mid,
    customer: customerOf(e),
    ...optional('emoji', emoji),
  };
}

/**
 * Delivery and read receipts. Each listed mid gets a status of its own. A bare watermark ("everything
 * sent before this time") names no message, so it becomes one status whose providerMessageId is
 * `watermark:<customer>:<epoch ms>`; applying it to every earlier outbound message is the resolver's job.
 */
function receiptEnvelopes(e: Event, receipt: MetaReceipt, status: DeliveryStatus): EnvelopeInput[] {
  const watermarkMs = receipt.watermark === undefined ? undefined : metaTimeMs(receipt.watermark);
  // Delivery events may have no timestamp; the watermark is then the best time we have.
  const common = base(e, e.timeMs ?? watermarkMs);
  const { customer } = e.sides;
  const mids = receipt.mids?.length ? receipt.mids : receipt.mid ? [receipt.mid] : [];
  if (mids.length > 0) {
    return [...new Set(mids)].map((mid) => ({
      id: `${e.scope.channel}:status:${mid}:${status}`,
      ...common,
      kind: 'status',
      providerMessageId: mid,
      status,
      ...optional('customer', customer),
    }));
  }
  const providerMessageId = `watermark:${customerOf(e).value}:${watermarkMs}`;
  return [
    {
      id: `${e.scope.channel}:status:${providerMessageId}:${status}`,
      ...common,
      kind: 'status',
      providerMessageId,
      status,
      customer: customerOf(e),
    },
  ];
}

function postbackEnvelope(e: Event, postback: MetaPostback): EnvelopeInput {
  const key = postback.mid ?? `postback:${e.senderKey}:${timeKey(e)}`;
  const data = {
    postback: { ...optional('title', postback.title), ...optional('payload', postback.payload) },
    ...optional('referral', postback.referral ?? e.event.referral),
    ...(e.standby ? { standby: true } : {}),
  };
  return {
    id: postback.mid ? `${e.scope.channel}:msg:${postback.mid}` : `${e.scope.channel}:${key}`,
    ...base(e),
    kind: 'message',
    direction: e.sides.byBusiness ? 'outbound' : 'inbound',
    providerMessageId: key,
    customer: customerOf(e),
    contentType: 'button',
    ...optional('text', postback.title),
    data,
  };
}

const EVENT_FRAME = new Set(['sender', 'recipient', 'timestamp']);

/** Event kinds we do not read (optin, account_linking, handover...): kept, marked, if someone sent them. */
function unknownEventEnvelope(e: Event): EnvelopeInput {
  const kind = (Object.keys(e.event).find((key) => !EVENT_FRAME.has(key)) ?? 'empty').slice(0, 64);
  if (e.event.sender === undefined) throw new RejectedItem(`${kind} event without a sender`);
  return eventMessage(e, `event:${kind}:${e.senderKey}:${timeKey(e)}`, kind, {});
}

/**
 * A message envelope for an event that is not a message: `unsupported`, its kind in `data`. Outbound
 * when the business sent the event, unless `direction` says otherwise.
 */
function eventMessage(
  e: Event,
  key: string,
  kind: string,
  data: Record<string, unknown>,
  direction: MessageEnvelopeInput['direction'] = e.sides.byBusiness ? 'outbound' : 'inbound',
): MessageEnvelopeInput {
  return {
    id: `${e.scope.channel}:${key}`,
    ...base(e),
    kind: 'message',
    direction,
    providerMessageId: key,
    customer: customerOf(e),
    contentType: 'unsupported',
    data: { unsupportedType: kind, ...data, ...(e.standby ? { standby: true } : {}) },
  };
}

/**
 * The business's own reaction, edit or unsend: the reaction/edit/delete envelopes describe a
 * customer's acts, so these are kept as outbound `unsupported` messages, as WhatsApp echoes are.
 */
function businessAct(e: Event, key: string, kind: string, detail: Record<string, unknown>): EnvelopeInput {
  return eventMessage(e, key, kind, { [kind]: detail }, 'outbound');
}

/** The event's time for ids: epoch ms, or the body hash and pointer when Meta gave no time. */
function timeKey(e: Event): string {
  return e.timeMs === undefined ? `${e.scope.ctx.bodySha256}#${e.pointer}` : String(e.timeMs);
}

function base(e: Event, timeMs: number | undefined = e.timeMs) {
  const ms = timeMs ?? e.scope.entryTimeMs;
  return {
    provider: 'meta' as const,
    channel: e.scope.channel,
    ...optional('account', e.sides.account),
    // The event's own time; then the entry's (when Meta sent it); then ours.
    occurredAt: ms === undefined ? e.scope.ctx.receivedAt : new Date(ms).toISOString(),
    receivedAt: e.scope.ctx.receivedAt,
    rawRef: `meta:${e.scope.ctx.bodySha256}#${e.pointer}`,
    raw: e.raw,
  };
}
