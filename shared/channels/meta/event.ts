import type { EnvelopeInput, Identity, MessageEnvelopeInput } from '#shared/domain/envelope.js';
import { type BodyContext, optional, RejectedItem } from '../normalised.js';
import type { MetaMessagingEvent, MetaParty } from './schema.js';

/** The channel of an entry: a Page's is Messenger, an Instagram account's is Instagram. */
export type MetaChannel = 'messenger' | 'instagram';

/** What every event of one entry shares. */
export interface Scope {
  ctx: BodyContext;
  channel: MetaChannel;
  /** The Page or IG account the entry is for. */
  entryId: string | undefined;
  entryTimeMs: number | undefined;
}

/** One event, located and parsed, with who is who in it. */
export interface Event {
  event: MetaMessagingEvent;
  raw: unknown;
  scope: Scope;
  pointer: string;
  standby: boolean;
  /** Carried by the Graph `changes` shape (dashboard test events), whose time may be in seconds. */
  graphChange: boolean;
  /** The event's own time in epoch ms, if it has one. */
  timeMs: number | undefined;
  /** The sender's id (or `user_ref:<ref>`), for ids of events Meta gave none. */
  senderKey: string | undefined;
  sides: Sides;
}

/** Who is who in an event: our account, the customer, and which of them sent it. */
export interface Sides {
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
export function sidesOf(event: MetaMessagingEvent, scope: Scope): Sides {
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
export function partyKey(party: MetaParty | undefined): string | undefined {
  if (party?.id !== undefined) return party.id;
  return party?.user_ref !== undefined ? `user_ref:${party.user_ref}` : undefined;
}

/** The event's customer; an event without one is rejected, saying which id is missing. */
export function customerOf(e: Event): Identity {
  if (e.sides.customer) return e.sides.customer;
  throw new RejectedItem(
    e.sides.account === undefined
      ? 'no page or account id (entry.id, sender.id, recipient.id)'
      : 'no person id (sender.id or recipient.id)',
  );
}

/**
 * A message envelope for an event that is not a message: `unsupported`, its kind in `data`. Outbound
 * when the business sent the event, unless `direction` says otherwise.
 */
export function eventMessage(
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
export function businessAct(
  e: Event,
  key: string,
  kind: string,
  detail: Record<string, unknown>,
): EnvelopeInput {
  return eventMessage(e, key, kind, { [kind]: detail }, 'outbound');
}

/** The event's time for ids: epoch ms, or the body hash and pointer when Meta gave no time. */
export function timeKey(e: Event): string {
  return e.timeMs === undefined ? `${e.scope.ctx.bodySha256}#${e.pointer}` : String(e.timeMs);
}

/** The fields every envelope of the event carries: provider, channel, account, times, raw reference. */
export function base(e: Event, timeMs: number | undefined = e.timeMs) {
  const ms = timeMs ?? e.scope.entryTimeMs;
  return {
    provider: 'meta' as const,
    channel: e.scope.channel,
    ...optional('account', e.sides.account),
    // The event's own time; then the entry's (when Meta sent it); then ours.
    occurredAt: ms === undefined ? e.scope.ctx.receivedAt : new Date(ms).toISOString(),
    receivedAt: e.scope.ctx.receivedAt,
    // Only the event's own time, as `messaging[]` carries it, is the same in every delivery; the entry's
    // may not be, nor a `changes` event's (seconds where `messaging[]` has milliseconds).
    ...optional('providerTime', timeMs === undefined || e.graphChange ? undefined : true),
    rawRef: `meta:${e.scope.ctx.bodySha256}#${e.pointer}`,
    raw: e.raw,
  };
}
