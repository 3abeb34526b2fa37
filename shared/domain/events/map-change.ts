import { isEmptyRecording } from '../asks-nothing.js';
import type { ChangeRecord } from '../change-feed.js';
import {
  AttachmentKindSchema,
  ChannelSchema,
  ContentTypeSchema,
  DeliveryStatusSchema,
  DirectionSchema,
} from '../envelope.js';
import { AuthorKindSchema } from '../outbound.js';
import { messageItemId } from '../resolution.js';
import { withKeyFields } from '../timeline.js';
import { clockEvents } from './clock-events.js';
import { consentEvents } from './consent-events.js';
import { event, eventId, type Image, member, some, someOf, str } from './event-parts.js';
import type { EventData, IntegrationEvent } from './integration-events.js';
import { messageContext } from './message-context.js';

const channels = (value: unknown): EventData<'customer.created'>['channels'] =>
  value instanceof Set || Array.isArray(value)
    ? [...value].flatMap((v) => member(ChannelSchema, v) ?? []).sort()
    : [];

/**
 * What a message event says of its attachments: kind (`file` for one outside the set), type, name and
 * size; never a URL or media id.
 */
function attachmentsOf(value: unknown): EventData<'message.received'>['attachments'] {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((a: Record<string, unknown>) => ({
    kind: member(AttachmentKindSchema, a.kind) ?? 'file',
    ...some('mimeType', a.mimeType),
    ...some('filename', a.filename),
    ...(typeof a.sizeBytes === 'number' ? { sizeBytes: a.sizeBytes } : {}),
  }));
}

function authorOf(item: Image): EventData<'message.sent'>['author'] {
  const author = (item.data as Record<string, unknown> | undefined)?.author;
  return member(AuthorKindSchema, (author as Record<string, unknown> | undefined)?.kind);
}

/** The message part every message event shares. */
function messageData(item: Image): Omit<EventData<'message.status'>, 'status' | 'previousStatus' | 'errors'> {
  return {
    customerId: String(item.customerId),
    ...(str(item.conversationId) ? { conversationId: str(item.conversationId) } : {}),
    messageId: String(item.id),
    channel: member(ChannelSchema, item.channel),
    direction: member(DirectionSchema, item.direction),
  };
}

/**
 * `csat.received` of a survey's `csat` timeline event (inserted once per survey): ids, the score, the
 * comment the customer wrote with it, the channel and when; never contact data.
 */
function csatEvents(record: ChangeRecord, item: Image, old: Image | undefined): IntegrationEvent[] {
  const data = (item.data ?? {}) as Image;
  const [customerId, conversationId] = [str(item.customerId), str(item.conversationId)];
  const score = typeof data.score === 'number' ? data.score : undefined;
  const at = str(data.answeredAt) ?? str(item.at);
  if (old || item.event !== 'csat' || !customerId || !conversationId || !at || score === undefined) return [];
  return [
    event('csat.received', [record.keys.pk, record.keys.sk], at, {
      customerId,
      conversationId,
      surveyId: str(data.surveyId),
      score,
      ...some('comment', data.comment),
      channel: member(ChannelSchema, item.channel),
      at,
    }),
  ];
}

/**
 * `voicemail.received` of a caller's `call_voicemail` (written once per recording; none for an empty
 * one, see isEmptyRecording): ids, its length and time; never the recording's link (it opens the
 * recording) or the caller's number. The transcription that follows is read from the timeline.
 */
function voicemailEvents(record: ChangeRecord, item: Image, old: Image | undefined): IntegrationEvent[] {
  const at = str(item.at);
  if (old || item.event !== 'call_voicemail' || typeof item.customerId !== 'string' || !at) return [];
  const seconds = ((item.data ?? {}) as Image).durationSeconds;
  // A recording of a second or less is a caller who hung up at the beep: a missed call, no voicemail.
  if (isEmptyRecording(seconds)) return [];
  return [
    event('voicemail.received', [record.keys.pk, record.keys.sk], at, {
      ...messageData(item),
      at,
      ...(typeof seconds === 'number' ? { durationSeconds: seconds } : {}),
    }),
  ];
}

/**
 * `message.edited` of a customer's `edit` timeline event (inserted once per edit, or released from
 * `held`): ids of the message edited (its timeline id, as `message.received` gave it), the text it was
 * edited to and when. None for an edit of a message deleted already (stored without its words), nor for
 * one held: it came before its message, whose `message.received` carries its text (`editedAt`).
 */
function editEvents(record: ChangeRecord, item: Image, old: Image | undefined): IntegrationEvent[] {
  const [customerId, channel, target, at] = [
    str(item.customerId),
    str(item.channel),
    str(item.targetMessageId),
    str(item.at),
  ];
  if (item.event !== 'edit' || item.deleted === true || !customerId || !channel || !target || !at) return [];
  // Held for its message (it came first, or names another's): none; released (its message was found), now.
  if (item.held === true || (old && old.held !== true)) return [];
  return [
    event('message.edited', [record.keys.pk, record.keys.sk], at, {
      customerId,
      ...some('conversationId', item.conversationId),
      messageId: messageItemId({ channel, providerMessageId: target }),
      channel: member(ChannelSchema, channel),
      direction: 'inbound',
      ...(typeof item.text === 'string' ? { text: item.text } : {}),
      editedAt: at,
    }),
  ];
}

/**
 * `message.deleted` of a message stored without its words because its customer deleted it (redacted,
 * or stored so when the deletion came first): ids, channel, when the deletion came; never the words.
 */
function deletedEvents(record: ChangeRecord, item: Image, old: Image | undefined): IntegrationEvent[] {
  if (item.deleted !== true || old?.deleted === true) return [];
  const deletedAt = str(item.deletedAt) ?? record.at;
  return [
    event('message.deleted', [record.keys.pk, record.keys.sk], deletedAt, {
      ...messageData(item),
      deletedAt,
    }),
  ];
}

/**
 * The events whose payloads held words a customer's deletion took out of the table, by the id and time
 * their deliveries are derived from (`deliveryIdOf`): a message redacted, its `message.received`; an
 * edit of it redacted, its `message.edited`. The publisher takes those words out of every
 * subscription's delivery of them, so no replay sends them again.
 */
export function wordsWithdrawnBy(record: ChangeRecord): Array<Pick<IntegrationEvent, 'id' | 'timestamp'>> {
  const [item, old] = [record.newImage, record.oldImage];
  if (
    record.kind !== 'modify' ||
    item?.entity !== 'timeline' ||
    item.deleted !== true ||
    old?.deleted === true
  )
    return [];
  return wordEventsOf(item, [record.keys.pk, record.keys.sk]);
}

/**
 * The events of a timeline item (under `key`) whose payloads hold words: a message's
 * `message.received` (or, with `replies`, our reply's `message.sent`), an edit's `message.edited`.
 */
function wordEventsOf(
  item: Image,
  key: [string, string],
  replies = false,
): Array<Pick<IntegrationEvent, 'id' | 'timestamp'>> {
  const at = str(item.at);
  if (!at) return [];
  if (item.type === 'message' && item.direction === 'inbound')
    return [{ id: eventId('message.received', ...key), timestamp: at }];
  if (replies && item.type === 'message' && item.direction === 'outbound')
    return [{ id: eventId('message.sent', ...key), timestamp: at }];
  if (item.type === 'event' && item.event === 'edit')
    return [{ id: eventId('message.edited', ...key), timestamp: at }];
  return [];
}

/**
 * An unmerge moving an item back to its customer (`movedFrom`: the customer it was under while they were
 * merged): the events whose payloads hold its words (their message or edit, or our reply sent to one of
 * their addresses), by the id and time their deliveries were derived from under that other customer's
 * key (`deliveryIdOf`), and the customer the words are now. The publisher notes those deliveries under
 * that customer, so their erasure finds them; none for anything else.
 */
export function wordsMovedBy(
  record: ChangeRecord,
): { customerId: string; events: Array<Pick<IntegrationEvent, 'id' | 'timestamp'>> } | undefined {
  const item = record.newImage;
  if (record.kind !== 'insert' || item?.entity !== 'timeline') return undefined;
  const [from, customerId] = [str(item.movedFrom), str(item.customerId)];
  const { pk, sk } = record.keys;
  if (!from || !customerId || !pk.endsWith(customerId)) return undefined;
  const events = wordEventsOf(item, [`${pk.slice(0, pk.length - customerId.length)}${from}`, sk], true);
  return events.length > 0 ? { customerId, events } : undefined;
}

function timelineEvents(record: ChangeRecord, item: Image, old: Image | undefined): IntegrationEvent[] {
  // An unmerge moving a message back to its customer: integrators had it once, `customer.unmerged` says why it moved.
  if (!old && item.movedFrom !== undefined) return [];
  if (item.type === 'event')
    return [
      ...clockEvents(record, item, old),
      ...csatEvents(record, item, old),
      ...voicemailEvents(record, item, old),
      ...editEvents(record, item, old),
    ];
  if (item.type !== 'message' || typeof item.customerId !== 'string' || typeof item.at !== 'string')
    return [];
  const key = [record.keys.pk, record.keys.sk];
  if (!old) {
    const type = item.direction === 'inbound' ? 'message.received' : 'message.sent';
    const author = authorOf(item);
    return [
      event(type, key, item.at, {
        ...messageData(item),
        at: item.at,
        ...someOf('contentType', ContentTypeSchema, item.contentType),
        ...(typeof item.text === 'string' ? { text: item.text } : {}),
        ...some('editedAt', item.editedAt),
        ...(attachmentsOf(item.attachments) ? { attachments: attachmentsOf(item.attachments) } : {}),
        ...(author ? { author } : {}),
        ...someOf('status', DeliveryStatusSchema, item.status),
        ...messageContext(item),
      }),
      ...deletedEvents(record, item, old),
    ];
  }
  const deleted = deletedEvents(record, item, old);
  if (deleted.length > 0) return deleted;
  const status = member(DeliveryStatusSchema, item.status);
  if (!status || status === old.status) return [];
  const errors = Array.isArray(item.errors)
    ? item.errors.map((e: Record<string, unknown>) => ({ code: String(e.code) }))
    : undefined;
  return [
    event('message.status', [...key, status], str(item.statusAt) ?? record.at, {
      ...messageData(item),
      status,
      ...someOf('previousStatus', DeliveryStatusSchema, old.status),
      ...(errors?.length ? { errors } : {}),
    }),
  ];
}

function customerEvents(record: ChangeRecord, item: Image, old: Image | undefined): IntegrationEvent[] {
  const customerId = String(item.id ?? record.keys.pk.replace(/^CUSTOMER#/, ''));
  if (item.entity === 'erased_customer') {
    if (old?.entity === 'erased_customer') return [];
    const erasedAt = str(item.erasedAt) ?? record.at;
    return [event('customer.erased', [customerId], erasedAt, { customerId, erasedAt })];
  }
  if (item.entity !== 'customer') return [];
  const out: IntegrationEvent[] = [];
  if (old?.entity !== 'customer') {
    const createdAt = str(item.createdAt) ?? record.at;
    out.push(
      event('customer.created', [customerId], createdAt, {
        customerId,
        createdAt,
        channels: channels(item.channels),
      }),
    );
  }
  const mergedInto = str(item.mergedInto);
  if (mergedInto && !old?.mergedInto) {
    const mergedAt = str(item.mergedAt) ?? record.at;
    out.push(
      event('customer.merged', [customerId, mergedInto, mergedAt], mergedAt, {
        customerId,
        mergedInto,
        mergedAt,
        ...some('by', item.mergedBy),
      }),
    );
  }
  const unmergedFrom = str(old?.mergedInto);
  if (unmergedFrom && !item.mergedInto) {
    const unmergedAt = str(item.unmergedAt) ?? record.at;
    out.push(
      event('customer.unmerged', [customerId, unmergedFrom, unmergedAt], unmergedAt, {
        customerId,
        unmergedFrom,
        unmergedAt,
        ...some('by', item.unmergedBy),
      }),
    );
  }
  return out;
}

const assignment = (item: Image | undefined) => ({
  agentId: str(item?.assignee) ?? null,
  queue: str(item?.queue) ?? null,
});

/**
 * When a reopen happened, which keys its event (one per reopen, the same on a redelivery): its own
 * `reopenedAt` (an unmerge's, an agent's), else the message's wait it began, or the write's time where
 * that message was timed before the resolve it undid (it came late): never before that resolve.
 */
function reopenedAt(record: ChangeRecord, item: Image, old: Image | undefined): string | undefined {
  const resolvedAt = str(old?.resolvedAt) ?? '';
  const own = str(item.reopenedAt);
  if (own && own >= resolvedAt) return own;
  const waiting = str(item.waitingSince);
  if (waiting && waiting >= resolvedAt) return waiting;
  return record.at > resolvedAt ? record.at : resolvedAt;
}

/** The latest of ISO times (all UTC, so the strings' order), those undefined left out. */
const latest = (first: string, ...rest: (string | undefined)[]) =>
  rest.reduce<string>((max, at) => (at !== undefined && at > max ? at : max), first);

function conversationEvents(record: ChangeRecord, item: Image, old: Image | undefined): IntegrationEvent[] {
  const conversationId = str(item.id);
  const customerId = str(item.customerId);
  if (!conversationId || !customerId) return [];
  const base = { customerId, conversationId };
  const out: IntegrationEvent[] = [];
  const reopened = old?.status === 'resolved' && item.status === 'open';
  let openedAt: string | undefined;
  if (old?.entity !== 'conversation' || reopened) {
    openedAt = (reopened ? reopenedAt(record, item, old) : str(item.createdAt)) ?? record.at;
    out.push(
      event('conversation.opened', [conversationId, openedAt], openedAt, {
        ...base,
        openedAt,
        reopened,
        ...someOf('channel', ChannelSchema, item.channel),
        ...some('previousConversationId', item.previousConversationId),
      }),
    );
  }
  if (item.status === 'resolved' && old?.status !== 'resolved') {
    const resolvedAt = str(item.resolvedAt) ?? record.at;
    out.push(
      event('conversation.resolved', [conversationId, resolvedAt], resolvedAt, {
        ...base,
        resolvedAt,
        ...some('by', item.resolvedBy),
      }),
    );
  }
  const [before, after] = [assignment(old), assignment(item)];
  if (before.agentId !== after.agentId || before.queue !== after.queue) {
    // The assignment's own time (its write keeps it); the change feed's, whole seconds on AWS and as
    // late as the feed is, only for one written before assignments were timed.
    // Never before the opening it follows: a hand-off is placed right after its message, which the
    // provider may time hours before we received it and opened the conversation (an offline phone's
    // WhatsApp); a receiver ordering by timestamp would otherwise drop it as stale.
    const at = latest(str(item.assignedAt) ?? record.at, str(item.createdAt), str(item.reopenedAt), openedAt);
    out.push(event('conversation.assigned', [record.id], at, { ...base, assignee: after, previous: before }));
  }
  return out;
}

/**
 * The integrator events one change of the table makes: a timeline message inserted is
 * `message.received` or `message.sent`, its status moving is `message.status`, its customer deleting
 * it `message.deleted`, their edit of it `message.edited`; a conversation
 * created or reopened, (re)assigned, resolved; snoozed and woken, an SLA target warned of or breached
 * (clock-events.ts); a customer created, merged
 * into another, unmerged, erased; an address's consent changing (consent-events.ts). A message an
 * unmerge moves to its customer makes none.
 * Pure and total: any other change (and any removal) makes none.
 */
export function eventsOfChange(record: ChangeRecord): IntegrationEvent[] {
  const item = record.newImage;
  if (record.kind === 'remove' || !item) return [];
  const old = record.oldImage;
  switch (item.entity) {
    case 'timeline':
      return timelineEvents(record, withKeyFields(item, record.keys), old && withKeyFields(old, record.keys));
    case 'customer':
    case 'erased_customer':
      return customerEvents(record, item, old);
    case 'conversation':
      return conversationEvents(record, item, old);
    case 'contact_state':
      return consentEvents(record, item, old);
    default:
      return [];
  }
}
