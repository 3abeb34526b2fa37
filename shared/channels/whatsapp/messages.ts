import type { EnvelopeInput, Identity } from '#shared/domain/envelope.js';
import { headOf } from '#shared/domain/text-cut.js';
import { whatsappKeyword } from '#shared/domain/whatsapp-opt-out.js';
import { optional, phoneIdentity, RejectedItem, uniqueIdentities } from '../normalised.js';
import { contextData, mediaCaption, messageContent, NO_DATA } from './message-content.js';
import type { WhatsAppContact, WhatsAppMessage, WhatsAppSystem } from './schema.js';
import { base, bsuidIdentity, derivedId, INTERNATIONAL, providerError, type Scope } from './scope.js';

type Direction = 'inbound' | 'outbound';

/**
 * The envelopes of one message or echo: a system message's identity changes, a customer's reaction,
 * edit or deletion, else the message itself with its content.
 */
export function messageEnvelopes(
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
  const act = direction === 'inbound' ? customerAct(message, wamid, common, customer) : undefined;
  if (act) return act;

  const content = messageContent(message);
  const extra = contextData(message);
  // A text that is an opt-out or opt-in keyword alone (PARAR, STOP, VOLTAR...): see whatsapp-opt-out.ts.
  const optOut =
    direction === 'inbound' && message.type === 'text' ? whatsappKeyword(content.text) : undefined;
  // Most messages are plain text from a customer without a username: no data at all.
  const data =
    content.data === undefined && extra === NO_DATA && people.username === undefined && !optOut
      ? NO_DATA
      : {
          ...content.data,
          ...extra,
          ...optional('username', people.username),
          ...optional('optOut', optOut),
        };
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

/** A customer's reaction, edit or deletion, or undefined for a message of another type. */
function customerAct(
  message: WhatsAppMessage,
  wamid: string,
  common: ReturnType<typeof base>,
  customer: Identity,
): EnvelopeInput[] | undefined {
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
  return undefined;
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
    profileName: name ? headOf(name, 256) : undefined,
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
