import { createHash } from 'node:crypto';
import { START_REASON, STOP_REASON } from './contact-state.js';
import { goesBeside } from './conversation.js';
import { deletionPending } from './deletion.js';
import type { Channel, Envelope, Identity, MessageEnvelope, StatusEnvelope } from './envelope.js';
import { canonicalIdentity, type PhoneOptions } from './identity.js';
import { replyItemId } from './replies.js';
import { decodeReplyKey } from './reply-key.js';
import type { ContactState, OncePlacement } from './resolver-ports.js';
import type { PlacedTimelineItem, TimelineItem } from './timeline.js';
import { WHATSAPP_STATE } from './whatsapp-opt-out.js';

/** The timeline id of a message: the channel and the provider's own id. */
export function messageItemId(envelope: { channel: string; providerMessageId: string }): string {
  return `${envelope.channel}:${envelope.providerMessageId}`;
}

/**
 * The provider reference a timeline item is written once under, whenever it is delivered: a message's
 * own provider id (the reference that also carries its delivery statuses), or the id of another
 * provider event; undefined for items with no provider behind them (notes, our own events).
 */
export function onceReference(item: TimelineItem): { channel: Channel; id: string } | undefined {
  if (!item.channel || !item.providerMessageId) return undefined;
  return { channel: item.channel, id: item.type === 'message' ? item.providerMessageId : item.id };
}

/**
 * How an envelope's item is written once (see OncePlacement). An inbound message timed by its provider
 * has the same key in every delivery: its conditional put alone dedups it, unless a merge moved its
 * identity, its customer or customers into it (`moved`, `hopped`: followed a `mergedInto`; the profile's
 * `mergedFrom`, `unmergedAt`), since an earlier delivery may then have put it in another partition,
 * or a deletion from the same identity came before its message (`deletionPending`): its reference holds it.
 */
export function oncePlacement(
  envelope: Envelope,
  merges: {
    moved: boolean;
    hopped: boolean;
    profile?: { mergedFrom?: readonly string[] | undefined; unmergedAt?: string | undefined } | undefined;
    /** The identity item's mark of a deletion that came before its message (see `deletionPending`). */
    deletionMarkedUntil?: string | undefined;
  },
): OncePlacement {
  const keyed =
    envelope.kind === 'message' && envelope.direction === 'inbound' && envelope.providerTime === true;
  if (!keyed) return 'reference';
  const { moved, hopped, profile } = merges;
  const merged =
    moved || hopped || (profile?.mergedFrom?.length ?? 0) > 0 || profile?.unmergedAt !== undefined;
  if (merged) return 'merged';
  return deletionPending(envelope, merges.deletionMarkedUntil) ? 'reference' : 'key';
}

/** How many places of one webhook body the arrival tells apart (a body holds a few events). */
const ARRIVAL_PLACES = 1000;

/**
 * Where an event stands among those of its customer's timeline at the same time, for a provider that
 * times events to the whole second (WhatsApp): when our webhook received it, in milliseconds, times
 * 1,000, plus its place in the webhook's body (the last index of its `rawRef` pointer), so two messages
 * of one second read in the order they reached us, not in the order of their provider ids. Kept on the
 * item by its first delivery (the put is conditional). Undefined for a time with milliseconds: a tie
 * there is a coincidence, and the item keeps the bytes.
 */
export function arrivalOf(envelope: Envelope): number | undefined {
  if (!envelope.occurredAt.endsWith('.000Z')) return undefined;
  const received = Date.parse(envelope.receivedAt);
  if (!Number.isFinite(received)) return undefined;
  const pointer = envelope.rawRef.slice(envelope.rawRef.lastIndexOf('/') + 1);
  const place = /^\d{1,6}$/.test(pointer) ? Math.min(Number(pointer), ARRIVAL_PLACES - 1) : 0;
  return received * ARRIVAL_PLACES + place;
}

/** The timeline item an envelope (anything but a status) writes on the customer's timeline. */
export function toTimelineItem(envelope: Envelope, customerId: string, conversationId: string): TimelineItem {
  const base = { customerId, conversationId, channel: envelope.channel, at: envelope.occurredAt };
  switch (envelope.kind) {
    case 'message':
      return {
        ...base,
        id: messageItemId(envelope),
        type: 'message',
        direction: envelope.direction,
        providerMessageId: envelope.providerMessageId,
        // An outbound message (an echo of the business's own app) is the business's: it names the
        // customer it went to, as our replies do, never as its sender.
        ...(envelope.direction === 'outbound' ? { to: envelope.customer } : { from: envelope.customer }),
        ...businessNumberWritten(envelope),
        contentType: envelope.contentType,
        ...(envelope.text !== undefined ? { text: envelope.text } : {}),
        ...(envelope.attachments.length ? { attachments: envelope.attachments } : {}),
        ...(envelope.replyTo ? { replyTo: envelope.replyTo } : {}),
        ...messageData(envelope),
        ...(envelope.errors ? { errors: envelope.errors } : {}),
        ...(envelope.direction === 'outbound'
          ? { status: 'sent' as const, statusAt: envelope.occurredAt }
          : {}),
      };
    case 'reaction':
      return {
        ...base,
        id: envelope.id,
        type: 'event',
        event: envelope.emoji ? 'reaction' : 'reaction_removed',
        providerMessageId: envelope.providerMessageId,
        targetMessageId: envelope.targetMessageId,
        from: envelope.customer,
        ...(envelope.emoji ? { emoji: envelope.emoji } : {}),
      };
    case 'edit':
    case 'delete':
      return {
        ...base,
        id: envelope.id,
        type: 'event',
        event: envelope.kind,
        providerMessageId: envelope.providerMessageId,
        targetMessageId: envelope.targetMessageId,
        from: envelope.customer,
        ...(envelope.text !== undefined ? { text: envelope.text } : {}),
      };
    case 'call':
      return {
        ...base,
        id: envelope.id,
        type: 'event',
        event: `call_${envelope.event}`,
        direction: envelope.direction,
        providerMessageId: envelope.callId,
        ...callParties(envelope),
        ...(envelope.transcript !== undefined ? { text: envelope.transcript } : {}),
        data: {
          ...(envelope.durationSeconds !== undefined ? { durationSeconds: envelope.durationSeconds } : {}),
          ...(envelope.recordingUrl ? { recordingUrl: envelope.recordingUrl } : {}),
        },
      };
    case 'system':
      return {
        ...base,
        id: envelope.id,
        type: 'event',
        event: envelope.event,
        providerMessageId: envelope.providerMessageId,
        ...(envelope.customer ? { from: envelope.customer } : {}),
        ...(envelope.text !== undefined ? { text: envelope.text } : {}),
        ...(envelope.newIdentity ? { data: { newIdentity: envelope.newIdentity } } : {}),
        ...(envelope.errors ? { errors: envelope.errors } : {}),
      };
    case 'status':
      throw new Error('statuses are not timeline items');
  }
}

/** A business number as Twilio gives it (`account`, E.164): only such a number is named as a call's party. */
const BUSINESS_PHONE = /^\+[1-9]\d{5,14}$/;

/**
 * Who called whom: the customer is the caller of an inbound call (`from`) and the callee of an outgoing
 * one (`to`, an agent's call-back), whose caller is our number (`from`, the envelope's `account`, when
 * it is a phone number), as a reply names whom it went to.
 */
function callParties(envelope: Extract<Envelope, { kind: 'call' }>): Pick<TimelineItem, 'from' | 'to'> {
  if (envelope.direction === 'inbound') {
    // Which of our numbers was called, as an SMS keeps the number it was sent to.
    const called = calledBusinessPhone(envelope);
    return { from: envelope.customer, ...(called ? { to: { kind: 'phone', value: called } } : {}) };
  }
  const account = envelope.account;
  const business = account !== undefined && BUSINESS_PHONE.test(account) ? account : undefined;
  return { ...(business ? { from: { kind: 'phone', value: business } } : {}), to: envelope.customer };
}

/** One of our short codes (3 to 8 digits, as Twilio gives a short code's `To`). */
const SHORT_CODE = /^\d{3,8}$/;

/**
 * Our number an inbound SMS, or a WhatsApp message through Twilio, was sent to (Twilio's `To`, the
 * envelope's `account`), kept as the item's `to` so agents see which of the business's numbers the
 * customer wrote to; only a phone number (or, on SMS, a short code), only Twilio's.
 */
function businessNumberWritten(envelope: Extract<Envelope, { kind: 'message' }>): Pick<TimelineItem, 'to'> {
  const account = smsBusinessPhone(envelope) ?? twilioWhatsappPhone(envelope);
  return account !== undefined ? { to: { kind: 'phone', value: account } } : {};
}

/**
 * The data an inbound message keeps: its envelope's, and for WhatsApp's Cloud API our phone number id
 * it was sent to (`phoneNumberId`, the envelope's `account`), which a queue's `to` routes by (Twilio's
 * number is kept in `to`; Messenger and Instagram name our Page or account in the customer's identity,
 * email its recipients in `recipients`, web chat its page in `page`).
 */
function messageData(envelope: Extract<Envelope, { kind: 'message' }>): Pick<TimelineItem, 'data'> {
  const cloud =
    envelope.provider === 'whatsapp' && envelope.direction === 'inbound' && envelope.account !== undefined;
  if (cloud) return { data: { ...envelope.data, phoneNumberId: envelope.account } };
  return envelope.data ? { data: envelope.data } : {};
}

/**
 * Our number an inbound SMS was sent to (its `account`: E.164, or one of our short codes), when the
 * envelope is one and names it: SMS replies go from it (a text to a short code is answered from it).
 */
export function smsBusinessPhone(envelope: Envelope): string | undefined {
  if (envelope.kind !== 'message' || envelope.channel !== 'sms' || envelope.direction !== 'inbound')
    return undefined;
  const account = envelope.account;
  if (envelope.provider === 'twilio' && account !== undefined && SHORT_CODE.test(account)) return account;
  return businessPhoneOf(envelope);
}

/** Our Twilio WhatsApp number an inbound WhatsApp message was sent to (its `account`, E.164). */
function twilioWhatsappPhone(envelope: Envelope): string | undefined {
  if (envelope.kind !== 'message' || envelope.channel !== 'whatsapp' || envelope.direction !== 'inbound')
    return undefined;
  return envelope.provider === 'twilio' ? businessPhoneOf(envelope) : undefined;
}

/** Our number an inbound call rang (Twilio's `To`, its `account`, E.164), when the envelope is one and names it. */
export function calledBusinessPhone(envelope: Envelope): string | undefined {
  if (envelope.kind !== 'call' || envelope.channel !== 'voice' || envelope.direction !== 'inbound')
    return undefined;
  return businessPhoneOf(envelope);
}

/** Our number an envelope names (its `account`: an inbound SMS's `To`, a status's `From`), when it is a phone number. */
export const businessPhoneOf = (envelope: Pick<Envelope, 'account'>): string | undefined =>
  businessPhone(envelope.account);

/** The value, when it is a business number as Twilio gives it (E.164). */
export const businessPhone = (value: string | undefined): string | undefined =>
  value !== undefined && BUSINESS_PHONE.test(value) ? value : undefined;

/** Mail whose sender nothing vouches for (DMARC failed, or SPF and DKIM both did): it attaches to no existing customer. */
export function isUnauthenticated(envelope: Envelope): boolean {
  return envelope.kind === 'message' && envelope.data?.authenticated === false;
}

/**
 * The customer of unauthenticated mail: its own, derived from the provider's id so that a redelivery
 * (or a retry after a crash) finds the same one, never the customer who holds the From address.
 */
export function unauthenticatedCustomerId(envelope: Envelope): string {
  return `cu_u${createHash('sha256').update(envelope.id).digest('hex').slice(0, 24)}`;
}

/**
 * Whether the customer is waiting for us: an inbound message, a voicemail. Mail that
 * failed the spam, virus or DMARC checks, and auto-replies, are kept on the timeline but wait for no one;
 * so does what asks nothing (`goesBeside`): a voicemail's transcription (the voicemail was the customer's
 * word), a reaction (a 👍 on an answer acknowledges it), an SMS keyword (STOP, START, HELP: the contact
 * state takes it), a call's news (its ringing and end, a voicemail hung up at the beep), and an edit or a
 * deletion of a message (it changes that message only).
 */
export function isCustomerSpeaking(envelope: Envelope): boolean {
  if (goesBeside(envelope)) return false;
  if (envelope.kind === 'message') {
    if (envelope.data?.quarantined === true || envelope.data?.autoReply === true) return false;
    return envelope.direction === 'inbound';
  }
  return envelope.kind === 'call' && envelope.direction === 'inbound';
}

/**
 * Whether an edit or a deletion stands for the message it names: one that found no conversation of its
 * customer to go beside (it came before its message, from someone never seen) opens a conversation that
 * waits, as that message will; any other changes its message only (`goesBeside`).
 */
export function standsForItsMessage(envelope: Envelope, placement: { quiet?: boolean | undefined }): boolean {
  return (envelope.kind === 'edit' || envelope.kind === 'delete') && placement.quiet !== true;
}

/**
 * An SMS opt-out or opt-in keyword (toward the number of ours it was texted to, `number`; a keyword
 * naming none is the address's as a whole), or an email suppression, that this envelope carries, timed `at`: the
 * time its first delivery placed it (`PlacedItem.at`), so a provider's resend of an old keyword (Twilio
 * times messages at their arrival) takes the first delivery's place among the customer's keywords and
 * changes nothing a later one decided; a retry after a crash before the write still makes it.
 */
export function contactStateOf(envelope: Envelope, at = envelope.occurredAt): ContactState | undefined {
  const common = { at, envelopeId: envelope.id };
  if (envelope.kind === 'system' && envelope.event === 'suppressed') {
    return { ...common, blocked: true, reason: envelope.errors?.[0]?.code ?? 'suppressed' };
  }
  if (envelope.kind === 'message' && envelope.direction === 'inbound') {
    // Toward the number of ours it was texted to: Twilio keeps opt-outs per sending number. WhatsApp's
    // toward WHATSAPP_STATE: an SMS STOP and a WhatsApp PARAR each hold on their own channel.
    const number = envelope.channel === 'whatsapp' ? WHATSAPP_STATE : smsBusinessPhone(envelope);
    const toward = { ...common, ...(number ? { number } : {}) };
    const optOut = envelope.data?.optOut;
    if (optOut === 'stop') return { ...toward, blocked: true, reason: STOP_REASON };
    if (optOut === 'start') return { ...toward, blocked: false, reason: START_REASON };
  }
  return undefined;
}

/**
 * The envelope with its phone identities in canonical E.164: webhooks keep numbers as the provider
 * sent them (no phone metadata in their bundles), so the resolver canonicalises before any lookup.
 */
export function canonicalEnvelope(envelope: Envelope, phone: PhoneOptions): Envelope {
  const canonical = (identity: Identity | undefined) => identity && canonicalIdentity(identity, phone);
  switch (envelope.kind) {
    case 'message':
      return {
        ...envelope,
        customer: canonicalIdentity(envelope.customer, phone),
        alsoKnownAs: envelope.alsoKnownAs.map((identity) => canonicalIdentity(identity, phone)),
      };
    case 'reaction':
    case 'edit':
    case 'delete':
      return { ...envelope, customer: canonicalIdentity(envelope.customer, phone) };
    case 'system': {
      const { customer, newIdentity, ...rest } = envelope;
      const c = canonical(customer);
      const n = canonical(newIdentity);
      return { ...rest, ...(c ? { customer: c } : {}), ...(n ? { newIdentity: n } : {}) };
    }
    default: {
      const { customer, ...rest } = envelope;
      const c = canonical(customer);
      return { ...rest, ...(c ? { customer: c } : {}) } as Envelope;
    }
  }
}

/**
 * The echo of a reply we sent, known by the reply key our send gave Messenger as `metadata` (handed
 * back on the echo), as the `sent` status it is: it writes the provider's id and status on the reply,
 * never a second outbound item, and answers nobody, even when it comes before our sender has recorded
 * the send. Undefined for anything else (a person's answer from the Page inbox, another app's data).
 */
export function echoOfOurReply(envelope: Envelope): StatusEnvelope | undefined {
  if (envelope.kind !== 'message' || envelope.direction !== 'outbound') return undefined;
  if (envelope.channel !== 'messenger' && envelope.channel !== 'instagram') return undefined;
  const key = envelope.data?.metadata;
  if (typeof key !== 'string' || !decodeReplyKey(key)) return undefined;
  return echoAsSent(envelope, key);
}

/** The echo of our reply (its key `replyKey`) as the `sent` status of that reply. */
export function echoAsSent(envelope: MessageEnvelope, replyKey: string): StatusEnvelope {
  const { id, provider, channel, account, occurredAt, receivedAt, providerTime, rawRef, customer } = envelope;
  return {
    kind: 'status',
    id,
    provider,
    channel,
    ...(account !== undefined ? { account } : {}),
    occurredAt,
    receivedAt,
    ...(providerTime !== undefined ? { providerTime } : {}),
    rawRef,
    providerMessageId: envelope.providerMessageId,
    status: 'sent',
    customer,
    replyKey,
  };
}

/** How long after our reply was put on the timeline its echo may come (the sender's retries included). */
const ECHO_WINDOW_MS = 15 * 60_000;
/** How far Meta's clock may stand behind ours: an echo timed this much before the reply may be its. */
const ECHO_CLOCK_SKEW_MS = 5_000;

/**
 * Whether an outbound item is the echo of this reply of ours in the middle of its send: the provider
 * has not given the reply its id yet (`queued`, none), same channel and content, the echo timed after
 * the reply was put (within the sender's retries). Instagram hands back no `metadata`, so an echo that
 * overtakes our sender is known by this alone; a person typing the same words in the Instagram app
 * while our reply of them is being sent is taken for it (and answers nothing).
 */
export function isEchoOfPendingReply(echo: TimelineItem, reply: PlacedTimelineItem): boolean {
  const { item } = reply;
  if (!item.id.startsWith(replyItemId('')) || item.type !== 'message' || item.direction !== 'outbound')
    return false;
  if (item.channel !== echo.channel || item.status !== 'queued' || item.providerMessageId) return false;
  if ((item.text ?? '') !== (echo.text ?? '')) return false;
  if ((item.attachments?.length ?? 0) !== (echo.attachments?.length ?? 0)) return false;
  const after = Date.parse(echo.at) - Date.parse(reply.placedAt);
  return after >= -ECHO_CLOCK_SKEW_MS && after <= ECHO_WINDOW_MS;
}
