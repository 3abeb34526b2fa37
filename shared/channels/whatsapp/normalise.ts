import * as z from 'zod/mini';
import type { EnvelopeInput, Identity, MessageEnvelopeInput } from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';
import { hot } from '#shared/validation/hot.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '#shared/validation/json-depth.js';
import {
  type BodyContext,
  collect,
  isRecord,
  type Normalised,
  optional,
  phoneIdentity,
  RejectedItem,
  rejectInvalid,
  uniqueIdentities,
} from '../normalised.js';
import {
  WhatsAppChangeSchema,
  type WhatsAppContact,
  WhatsAppEntrySchema,
  type WhatsAppError,
  WhatsAppErrorSchema,
  type WhatsAppMedia,
  type WhatsAppMessage,
  WhatsAppMessageSchema,
  type WhatsAppStatus,
  WhatsAppStatusSchema,
  type WhatsAppSystem,
  WhatsAppValueSchema,
  WhatsAppWebhookSchema,
} from './schema.js';

// Containers are parsed one level at a time, each item on its own, so that one malformed message
// costs only itself and not the rest of the batch (Meta batches up to 1000 updates per request).
const BodyShellSchema = z.extend(WhatsAppWebhookSchema, { entry: z.array(z.unknown()) });
const EntryShellSchema = z.extend(WhatsAppEntrySchema, { changes: z.optional(z.array(z.unknown())) });
const ChangeShellSchema = z.extend(WhatsAppChangeSchema, { value: z.optional(z.unknown()) });
const ValueShellSchema = z.extend(WhatsAppValueSchema, {
  messages: z.optional(z.array(z.unknown())),
  message_echoes: z.optional(z.array(z.unknown())),
  statuses: z.optional(z.array(z.unknown())),
  errors: z.optional(z.array(z.unknown())),
});

/** Change fields carrying customer traffic; others (template updates, account alerts...) are skipped. */
const MESSAGE_FIELDS = new Set(['messages', 'smb_message_echoes']);

// Built once: a zod schema compiles on its first parse, so a per-call schema costs that every time.
const ObjectKindSchema = z.looseObject({ object: z.literal('whatsapp_business_account') });

// What every delivery parses, compiled once the function is warm.
const ObjectKind = hot(ObjectKindSchema);
const BodyShell = hot(BodyShellSchema);
const EntryShell = hot(EntryShellSchema);
const ChangeShell = hot(ChangeShellSchema);
const ValueShell = hot(ValueShellSchema);
const Message = hot(WhatsAppMessageSchema);
const Status = hot(WhatsAppStatusSchema);
const ErrorItem = hot(WhatsAppErrorSchema);

/** What every item of one change shares. */
interface Scope {
  ctx: BodyContext;
  account: string | undefined;
  contacts: WhatsAppContact[];
  /** How many messages the change holds: a lone contact belongs to a lone message. */
  messageCount: number;
}

/**
 * Turns a WhatsApp Cloud API webhook body into envelopes: every entry, every change, every message,
 * echo, status and error. Pure and deterministic: the same body always yields the same envelopes.
 * Throws ValidationError only when the body is not a WhatsApp Business Account webhook at all; a
 * malformed part is skipped and reported in `rejected`.
 */
export function normaliseWhatsApp(payload: unknown, ctx: BodyContext): Normalised {
  const kind = ObjectKind.safeParse(payload);
  if (!kind.success) {
    throw new ValidationError('not a WhatsApp Business Account webhook', { cause: kind.error });
  }
  if (nestsDeeperThan(payload, MAX_JSON_DEPTH)) {
    throw new ValidationError(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
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
    for (const [j, rawChange] of (entry.data.changes ?? []).entries()) {
      const pointer = `/entry/${i}/changes/${j}`;
      const change = ChangeShell.safeParse(rawChange);
      if (!change.success) {
        rejectInvalid(out, pointer, change.error);
        continue;
      }
      const { field, value: rawValue } = change.data;
      // Test payloads often omit `field`; the arrays in the value then say what it is.
      if ((field !== undefined && !MESSAGE_FIELDS.has(field)) || rawValue === undefined) continue;
      const value = ValueShell.safeParse(rawValue);
      if (value.success) normaliseValue(out, `${pointer}/value`, value.data, ctx, { entry: i, change: j });
      else rejectInvalid(out, `${pointer}/value`, value.error);
    }
  }
  return out;
}

function normaliseValue(
  out: Normalised,
  pointer: string,
  value: z.infer<typeof ValueShellSchema>,
  ctx: BodyContext,
  at: { entry: number; change: number },
): void {
  const scope: Scope = {
    ctx,
    account: value.metadata?.phone_number_id,
    contacts: value.contacts ?? [],
    messageCount: value.messages?.length ?? 0,
  };
  value.messages?.forEach((raw, k) => {
    collect(out, `${pointer}/messages/${k}`, () => {
      const message = Message.parse(raw);
      return messageEnvelopes(message, raw, 'inbound', scope, `${pointer}/messages/${k}`);
    });
  });
  value.message_echoes?.forEach((raw, k) => {
    collect(out, `${pointer}/message_echoes/${k}`, () => {
      const message = Message.parse(raw);
      return messageEnvelopes(message, raw, 'outbound', scope, `${pointer}/message_echoes/${k}`);
    });
  });
  value.statuses?.forEach((raw, k) => {
    collect(out, `${pointer}/statuses/${k}`, () => [
      statusEnvelope(Status.parse(raw), raw, scope, `${pointer}/statuses/${k}`),
    ]);
  });
  value.errors?.forEach((raw, k) => {
    collect(out, `${pointer}/errors/${k}`, () => {
      const error = ErrorItem.parse(raw);
      const errorPointer = `${pointer}/errors/${k}`;
      return [
        {
          id: `whatsapp:error:${ctx.bodySha256}:${at.entry}:${at.change}:${k}`,
          ...base(scope, errorPointer, raw, undefined),
          kind: 'system',
          event: 'provider_error',
          providerMessageId: derivedId(ctx, errorPointer),
          ...optional('text', error.title ?? error.message),
          errors: [providerError(error)],
        },
      ];
    });
  });
}

type Direction = 'inbound' | 'outbound';

function messageEnvelopes(
  message: WhatsAppMessage,
  raw: unknown,
  direction: Direction,
  scope: Scope,
  pointer: string,
): EnvelopeInput[] {
  const wamid = message.id ?? derivedId(scope.ctx, pointer);
  const common = base(scope, pointer, raw, message.timestamp);
  if (message.type === 'system' && message.system)
    return systemEnvelopes(message, message.system, wamid, common);

  const people = direction === 'inbound' ? senderOf(message, scope) : recipientOf(message);
  const [customer, ...alsoKnownAs] = people.identities;
  if (!customer) throw new RejectedItem(`${direction} message without a usable phone or BSUID`);

  // Reactions, edits and deletions have envelopes of their own, but those describe the customer's
  // acts; the business's own (echoes) are kept as outbound `unsupported` messages below.
  if (direction === 'inbound') {
    if (message.type === 'reaction' && message.reaction) {
      const emoji = message.reaction.emoji || undefined;
      return [
        {
          id: `whatsapp:reaction:${wamid}:${message.timestamp ?? 'none'}:${emoji ?? 'removed'}`,
          ...common,
          kind: 'reaction',
          providerMessageId: wamid,
          targetMessageId: message.reaction.message_id,
          customer,
          ...optional('emoji', emoji),
        },
      ];
    }
    if (message.type === 'edit' && message.edit) {
      const edited = message.edit.message;
      return [
        {
          id: `whatsapp:msg:${wamid}`,
          ...common,
          kind: 'edit',
          providerMessageId: wamid,
          targetMessageId: message.edit.original_message_id,
          customer,
          ...optional('text', edited?.text?.body ?? mediaCaption(edited ?? {})),
        },
      ];
    }
    if (message.type === 'revoke' && message.revoke) {
      return [
        {
          id: `whatsapp:msg:${wamid}`,
          ...common,
          kind: 'delete',
          providerMessageId: wamid,
          targetMessageId: message.revoke.original_message_id,
          customer,
        },
      ];
    }
  }

  const content = messageContent(message);
  const extra = contextData(message);
  // Most messages are plain text from a customer without a username: no data at all.
  const data =
    content.data === undefined && extra === NO_DATA && people.username === undefined
      ? NO_DATA
      : { ...content.data, ...extra, ...optional('username', people.username) };
  return [
    {
      id: `whatsapp:msg:${wamid}`,
      ...common,
      kind: 'message',
      direction,
      providerMessageId: wamid,
      customer,
      alsoKnownAs,
      ...optional('profileName', people.profileName),
      contentType: content.contentType,
      ...optional('text', content.text),
      attachments: content.attachments ?? [],
      ...optional('replyTo', message.context?.id),
      ...(Object.keys(data).length > 0 ? { data } : {}),
      ...(message.errors?.length ? { errors: message.errors.map(providerError) } : {}),
    },
  ];
}

/** Shared, never written to: `data` of a message that has none (it is then left out). */
const NO_DATA: Readonly<Record<string, unknown>> = Object.freeze({});

type MessageContent = Pick<MessageEnvelopeInput, 'contentType' | 'text' | 'attachments' | 'data'>;

const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const isMediaType = (type: string): type is MediaType => (MEDIA_TYPES as readonly string[]).includes(type);

function messageContent(message: WhatsAppMessage): MessageContent {
  const { type } = message;
  if (type === 'text' && message.text) return { contentType: 'text', text: message.text.body };
  if (isMediaType(type)) {
    const media = message[type];
    if (media) return mediaContent(type, media);
  }
  if (type === 'location' && message.location) {
    const { latitude, longitude, name, address } = message.location;
    const label = [name, address].filter((part) => part?.trim()).join(', ');
    return {
      contentType: 'location',
      text: label || `${latitude}, ${longitude}`,
      data: { location: message.location },
    };
  }
  if (type === 'contacts' && message.contacts) {
    const names = message.contacts.map(contactName).filter((name) => name !== undefined);
    return {
      contentType: 'contacts',
      ...optional('text', names.join(', ') || undefined),
      data: { contacts: message.contacts },
    };
  }
  if (type === 'interactive' && message.interactive) return interactiveContent(message.interactive);
  if (type === 'button' && message.button) {
    return {
      contentType: 'button',
      text: message.button.text,
      data: { button: { text: message.button.text, ...optional('payload', message.button.payload) } },
    };
  }
  if (type === 'order' && message.order) {
    return { contentType: 'order', ...optional('text', message.order.text), data: { order: message.order } };
  }
  // `unsupported`, any type we do not know (request_welcome, poll...), and echoes of reactions, edits
  // and deletions, which have no outbound envelope: kept, visible, and marked.
  const unsupportedType = type === 'unsupported' ? message.unsupported?.type : type;
  const echoed = message.edit ?? message.revoke ?? message.reaction;
  return {
    contentType: 'unsupported',
    ...optional('text', message.edit?.message?.text?.body),
    data: {
      ...optional('unsupportedType', unsupportedType),
      ...(echoed ? { [type]: echoed } : {}),
    },
  };
}

function mediaContent(type: MediaType, media: WhatsAppMedia): MessageContent {
  const attachment = {
    kind: type,
    ...optional('mediaId', media.id),
    ...optional('url', media.url),
    ...optional('mimeType', media.mime_type),
    ...optional('sha256', media.sha256),
    ...optional('filename', media.filename),
    ...optional('caption', media.caption),
  };
  const data = { ...optional('voice', media.voice), ...optional('animated', media.animated) };
  return {
    contentType: type,
    ...optional('text', media.caption),
    attachments: [attachment],
    ...(Object.keys(data).length > 0 ? { data } : {}),
  };
}

function interactiveContent(interactive: NonNullable<WhatsAppMessage['interactive']>): MessageContent {
  const { type } = interactive;
  const reply =
    type === 'button_reply'
      ? interactive.button_reply
      : type === 'list_reply'
        ? interactive.list_reply
        : undefined;
  if (reply) {
    const description =
      'description' in reply && typeof reply.description === 'string' ? reply.description : undefined;
    return {
      contentType: 'interactive',
      text: reply.title,
      data: {
        interactive: { type, id: reply.id, title: reply.title, ...optional('description', description) },
      },
    };
  }
  if (type === 'nfm_reply' && interactive.nfm_reply) {
    const { name, body, response_json } = interactive.nfm_reply;
    return {
      contentType: 'interactive',
      text: body?.trim() ? body : 'Flow response',
      data: {
        interactive: {
          type,
          ...optional('name', name),
          ...optional('body', body),
          ...flowResponse(response_json),
        },
      },
    };
  }
  const own = interactive[type];
  return { contentType: 'interactive', data: { interactive: { type, ...(isRecord(own) ? own : {}) } } };
}

/** A Flow's answers arrive as a JSON string: parsed when it is an object, else kept as the string. */
function flowResponse(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json);
    if (isRecord(parsed) && !nestsDeeperThan(parsed, MAX_JSON_DEPTH)) return { response: parsed };
  } catch {
    // Not JSON: keep the string as Meta sent it.
  }
  return { responseJson: json };
}

function contextData(message: WhatsAppMessage): Record<string, unknown> {
  const { context, referral } = message;
  if (!context && !referral) return NO_DATA;
  return {
    ...(context?.forwarded ? { forwarded: true } : {}),
    ...(context?.frequently_forwarded ? { frequentlyForwarded: true } : {}),
    ...optional('referredProduct', context?.referred_product),
    ...optional('referral', referral),
  };
}

/**
 * `system` messages announce identity changes. The envelope has room for one new identity, so a message
 * that changes several (a new number *and* a new BSUID) yields one envelope per new identity: the first
 * keeps the message id, the others add `#<field>`. A message with no new id (`customer_identity_changed`,
 * a new security key) is still `identity_changed`, without `newIdentity`.
 */
function systemEnvelopes(
  message: WhatsAppMessage,
  system: WhatsAppSystem,
  wamid: string,
  common: ReturnType<typeof base>,
): EnvelopeInput[] {
  const customer =
    phoneIdentity(message.from, INTERNATIONAL) ??
    bsuidIdentity(system.previous_user_id) ??
    phoneIdentity(system.customer, INTERNATIONAL);
  const changes: { field: string; identity: Identity }[] = [];
  const newPhone = phoneIdentity(system.wa_id ?? system.new_wa_id, INTERNATIONAL);
  if (newPhone && newPhone.value !== customer?.value) changes.push({ field: 'wa_id', identity: newPhone });
  const newUser = bsuidIdentity(system.user_id);
  if (newUser && system.user_id !== system.previous_user_id)
    changes.push({ field: 'user_id', identity: newUser });
  const newParent = bsuidIdentity(system.parent_user_id);
  if (newParent && system.parent_user_id !== system.previous_parent_user_id) {
    changes.push({ field: 'parent_user_id', identity: newParent });
  }
  const envelope = (id: string, newIdentity?: Identity): EnvelopeInput => ({
    id,
    ...common,
    kind: 'system',
    event: 'identity_changed',
    providerMessageId: wamid,
    ...optional('customer', customer),
    ...optional('newIdentity', newIdentity),
    ...optional('text', system.body),
    ...(message.errors?.length ? { errors: message.errors.map(providerError) } : {}),
  });
  if (changes.length === 0) return [envelope(`whatsapp:msg:${wamid}`)];
  return changes.map(({ field, identity }, n) =>
    envelope(n === 0 ? `whatsapp:msg:${wamid}` : `whatsapp:msg:${wamid}#${field}`, identity),
  );
}

function statusEnvelope(status: WhatsAppStatus, raw: unknown, scope: Scope, pointer: string): EnvelopeInput {
  // A group status names the group, not a person: no customer.
  const customer =
    status.recipient_type === 'group'
      ? undefined
      : (phoneIdentity(status.recipient_id, INTERNATIONAL) ?? bsuidIdentity(status.recipient_user_id));
  return {
    id: `whatsapp:status:${status.id}:${status.status}`,
    ...base(scope, pointer, raw, status.timestamp),
    kind: 'status',
    providerMessageId: status.id,
    status: status.status,
    ...optional('customer', customer),
    ...(status.errors?.length ? { errors: status.errors.map(providerError) } : {}),
  };
}

interface People {
  /** Customer first, then what else the payload says about the same person. */
  identities: Identity[];
  profileName?: string | undefined;
  username?: string | undefined;
}

/**
 * The sender of an inbound message: the phone of the matching contact's `wa_id`, else `from`; the BSUID
 * and parent BSUID after it. BSUID-only users (a username, no number) are known by the BSUID alone.
 */
function senderOf(message: WhatsAppMessage, scope: Scope): People {
  const from = phoneIdentity(message.from, INTERNATIONAL);
  const contact = matchContact(message, from, scope);
  const identities = uniqueIdentities([
    phoneIdentity(contact?.wa_id, INTERNATIONAL),
    from,
    bsuidIdentity(message.from_user_id),
    bsuidIdentity(contact?.user_id),
    bsuidIdentity(message.from_parent_user_id),
    bsuidIdentity(contact?.parent_user_id),
  ]);
  const name = contact?.profile?.name?.trim();
  const username = contact?.profile?.username?.trim();
  return {
    identities,
    profileName: name ? name.slice(0, 256) : undefined,
    username: username || undefined,
  };
}

/** The customer of an echo is the recipient: `to`, then `to_user_id` and `to_parent_user_id`. */
function recipientOf(message: WhatsAppMessage): People {
  return {
    identities: uniqueIdentities([
      phoneIdentity(message.to, INTERNATIONAL),
      bsuidIdentity(message.to_user_id),
      bsuidIdentity(message.to_parent_user_id),
    ]),
  };
}

function matchContact(
  message: WhatsAppMessage,
  from: Identity | undefined,
  scope: Scope,
): WhatsAppContact | undefined {
  const match = scope.contacts.find(
    (contact) =>
      (message.from_user_id !== undefined && contact.user_id === message.from_user_id) ||
      (from !== undefined && phoneIdentity(contact.wa_id, INTERNATIONAL)?.value === from.value),
  );
  if (match) return match;
  // `wa_id` may differ from `from`; with one message and one contact they are the same person.
  return scope.contacts.length === 1 && scope.messageCount === 1 ? scope.contacts[0] : undefined;
}

// WhatsApp numbers (`from`, `wa_id`, `recipient_id`) carry the country code, with or without a `+`.
// One object for every call: building it per call would cost the delivery path an allocation.
const INTERNATIONAL = { international: true } as const;

function bsuidIdentity(raw: string | undefined): Identity | undefined {
  const value = raw?.trim();
  return value ? { kind: 'whatsapp', value } : undefined;
}

function base(scope: Scope, pointer: string, raw: unknown, timestamp: string | undefined) {
  return {
    provider: 'whatsapp' as const,
    channel: 'whatsapp' as const,
    ...optional('account', scope.account),
    // Test payloads sometimes omit the timestamp; Meta always sends it.
    occurredAt: timestamp ? new Date(Number(timestamp) * 1000).toISOString() : scope.ctx.receivedAt,
    receivedAt: scope.ctx.receivedAt,
    rawRef: `whatsapp:${scope.ctx.bodySha256}#${pointer}`,
    raw,
  };
}

/** The id of an item Meta gave none: the body's hash and the item's JSON pointer. */
function derivedId(ctx: BodyContext, pointer: string): string {
  return `${ctx.bodySha256}#${pointer}`;
}

function providerError(error: WhatsAppError) {
  return {
    code: String(error.code),
    ...optional('title', error.title),
    ...optional('message', error.error_data?.details ?? error.details ?? error.message),
  };
}

function mediaCaption(content: Record<string, unknown>): string | undefined {
  for (const type of MEDIA_TYPES) {
    const media = content[type];
    if (isRecord(media) && typeof media.caption === 'string') return media.caption;
  }
  return undefined;
}

function contactName(contact: NonNullable<WhatsAppMessage['contacts']>[number]): string | undefined {
  const name = contact.name;
  const formatted = name?.formatted_name?.trim();
  if (formatted) return formatted;
  const parts = [name?.first_name, name?.middle_name, name?.last_name].filter((part) => part?.trim());
  return parts.length > 0 ? parts.join(' ') : undefined;
}
