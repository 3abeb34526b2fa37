import type { PutCommandInput, QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Channel, DeliveryStatus, Envelope, ProviderError } from '../../domain/envelope.js';
import { statusRank } from '../../domain/status-rank.js';
import type { TimelineItem } from '../../domain/timeline.js';
import { Keys, RAW_PREFIX, rawPayloadKey, TIMELINE_END, TIMELINE_PREFIX } from '../keys.js';
import { csatAnswerIndexKeys } from './csat-answers.js';
import { referenceErrors } from './parked-status.js';

/**
 * A raw payload up to this size (UTF-16 code units of its JSON) stays on its timeline item: it costs no
 * extra write, and 200 such items stay far below the 1 MB a query reads at once. A larger one (an
 * email's MIME) is its own item, so timeline queries never read it.
 */
export const RAW_INLINE_MAX = 2048;

/** How many items back the latest inbound message on a channel is looked for. */
export const LAST_INBOUND_LOOKBACK = 100;

/** How many of a customer's items (any channel or direction) at or before a watermark receipt's time one page reads. */
export const WATERMARK_PAGE = 20;

/**
 * How many pages a watermark receipt reads in one partition, newest first, before it gives up (100 items:
 * older replies keep their status); it stops at the first reply of its channel the status already covers.
 */
export const WATERMARK_MAX_PAGES = 5;

/** How many partitions a watermark receipt reads (the bound lives with the walk of the merges). */
export { WATERMARK_MAX_PARTITIONS } from '../../domain/watermark.js';

/** The raw payload of a timeline item when it is too large to ride on it, or undefined. */
export function rawAside(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const json = JSON.stringify(raw);
  return json.length > RAW_INLINE_MAX ? json : undefined;
}

/**
 * Writes a timeline item once: a redelivered envelope finds it there and changes nothing. `arrival`
 * (`arrivalOf`: the first delivery's) orders it among the items of its time when they are read.
 */
export function putTimelineItemInput(
  table: string,
  item: TimelineItem,
  raw: unknown,
  arrival?: number | undefined,
): PutCommandInput {
  const record: Record<string, unknown> = {
    ...Keys.timelineItem(item.customerId, item.at, item.id),
    entity: 'timeline',
    ...item,
  };
  if (arrival !== undefined) record.arrival = arrival;
  if (item.status) record.statusRank = statusRank(item.status);
  Object.assign(record, csatAnswerIndexKeys(item));
  if (raw !== undefined && rawAside(raw) === undefined) record.raw = JSON.stringify(raw);
  return { TableName: table, Item: record, ConditionExpression: 'attribute_not_exists(pk)' };
}

/**
 * Writes a large raw payload once, as its own item beside the timeline item (`RAW#<its sort key>`,
 * outside the `TIMELINE#` range), before the timeline item: a crash between the two finds it there.
 */
export function putRawPayloadInput(table: string, item: TimelineItem, json: string): PutCommandInput {
  return {
    TableName: table,
    Item: { ...rawPayloadKey(item.customerId, item.at, item.id), entity: 'raw_payload', raw: json },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/**
 * The raw payloads of one customer's partition, for export and erasure: `aside`, the items kept apart
 * (`RAW#...`); `inline`, the small ones still on timeline items. Keys and payloads only.
 */
export function queryRawPayloadsInput(
  table: string,
  customerId: string,
  where: 'aside' | 'inline',
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':prefix': where === 'aside' ? RAW_PREFIX : TIMELINE_PREFIX,
    },
    ...(where === 'inline' ? { FilterExpression: 'attribute_exists(#raw)' } : {}),
    ProjectionExpression: 'pk, sk, #raw',
    ExpressionAttributeNames: { '#raw': 'raw' },
  };
}

/** A delivery status to record. */
export interface StatusChange {
  status: DeliveryStatus;
  at: string;
  errors?: ProviderError[] | undefined;
}

/** The SET clauses (and their values) that record a delivery status on an item. */
export function statusSets(change: StatusChange): {
  expression: string;
  values: Record<string, unknown>;
} {
  const values: Record<string, unknown> = {
    ':status': change.status,
    ':rank': statusRank(change.status),
    ':statusAt': change.at,
  };
  const sets = ['#status = :status', 'statusRank = :rank', 'statusAt = :statusAt'];
  if (change.errors?.length) {
    values[':errors'] = change.errors;
    sets.push('errors = :errors');
  }
  return { expression: sets.join(', '), values };
}

/**
 * Moves the message's reference item forward to a status; creates it if the message is not known
 * yet, so a status that arrives before its message is kept and applied when the message lands (for a
 * while: see parkStatusInput). Never on an erasure's marker. The errors without the provider's text
 * (referenceErrors): an SES bounce's diagnostic names the address.
 */
export function advanceMessageRefInput(
  table: string,
  channel: Channel,
  providerMessageId: string,
  change: StatusChange,
): UpdateCommandInput {
  const { expression, values } = statusSets({ ...change, errors: referenceErrors(change.errors) });
  return {
    TableName: table,
    Key: Keys.messageRef(channel, providerMessageId),
    UpdateExpression: `SET entity = :entity, ${expression}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ...values, ':entity': 'message_ref' },
    ConditionExpression:
      'attribute_not_exists(erasedAt) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
    ReturnValues: 'ALL_NEW',
  };
}

/** Moves a timeline item forward to a status; never creates one, never moves back. */
export function advanceTimelineStatusInput(
  table: string,
  key: { pk: string; sk: string },
  change: StatusChange,
): UpdateCommandInput {
  const { expression, values } = statusSets(change);
  return {
    TableName: table,
    Key: key,
    UpdateExpression: `SET ${expression}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
  };
}

/**
 * Moves a reply's timeline item forward to a status that named it by its key (reply-key.ts), in one
 * write. The key came from outside, so the write applies only to an outbound item that already carries
 * the status's provider id, or to one still held by its send (a lease, no provider id yet: the sender
 * is between the provider's answer and recording it, or crashed there), whose provider id it then
 * records so a redelivered send finds the reply sent. Never creates an item, never moves back.
 */
export function advanceReplyStatusInput(
  table: string,
  key: { pk: string; sk: string },
  change: StatusChange,
  providerMessageId: string,
): UpdateCommandInput {
  const forward = advanceTimelineStatusInput(table, key, change);
  return {
    ...forward,
    UpdateExpression: `${forward.UpdateExpression}, providerMessageId = if_not_exists(providerMessageId, :pmid)`,
    ExpressionAttributeValues: {
      ...forward.ExpressionAttributeValues,
      ':pmid': providerMessageId,
      ':outbound': 'outbound',
    },
    ConditionExpression: `${forward.ConditionExpression} AND direction = :outbound AND (providerMessageId = :pmid OR (attribute_not_exists(providerMessageId) AND attribute_exists(sendLeaseUntil)))`,
  };
}

/** Whether an item, read as it stands, is at a status or beyond it (so the status need not be written). */
export function statusReached(item: Record<string, unknown> | undefined, status: DeliveryStatus): boolean {
  return typeof item?.statusRank === 'number' && item.statusRank >= statusRank(status);
}

/** Makes a write that records a status apply only while the item is behind it (`:rank` is statusSets'). */
export function onlyForward(input: UpdateCommandInput): UpdateCommandInput {
  const condition = '(attribute_not_exists(statusRank) OR statusRank < :rank)';
  return {
    ...input,
    ConditionExpression: input.ConditionExpression
      ? `${input.ConditionExpression} AND ${condition}`
      : condition,
  };
}

/**
 * Links a message reference to its timeline item (first link wins) and returns any status it holds.
 * With `status`, the status the timeline item had when linked (`timelineRank`, first link wins): a
 * status callback at or below it changes nothing there, so it is not written (a write whose condition
 * fails is billed). With `unlessErased`, refused when an erasure marked the provider's id.
 */
export function linkMessageRefInput(
  table: string,
  channel: Channel,
  providerMessageId: string,
  target: { customerId: string; timelineSk: string; status?: DeliveryStatus | undefined },
  options: { unlessErased?: boolean } = {},
): UpdateCommandInput {
  const ranked = target.status !== undefined;
  return {
    TableName: table,
    // An erasure left a marker on the provider's id: this is a retry of an erased message.
    ...(options.unlessErased ? { ConditionExpression: 'attribute_not_exists(erasedAt)' } : {}),
    Key: Keys.messageRef(channel, providerMessageId),
    UpdateExpression: `SET entity = :entity, customerId = if_not_exists(customerId, :customerId), timelineSk = if_not_exists(timelineSk, :sk)${ranked ? ', timelineRank = if_not_exists(timelineRank, :timelineRank)' : ''}`,
    ExpressionAttributeValues: {
      ':entity': 'message_ref',
      ':customerId': target.customerId,
      ':sk': target.timelineSk,
      ...(target.status !== undefined ? { ':timelineRank': statusRank(target.status) } : {}),
    },
    ReturnValues: 'ALL_NEW',
  };
}

/**
 * One page of one partition's timeline, oldest first, strictly after the sort key `after`. The
 * cursor is a sort key rather than a LastEvaluatedKey so that one cursor pages through the union of
 * several partitions (a customer and the customers merged into them).
 */
export function queryTimelineInput(
  table: string,
  customerId: string,
  page: { limit: number; after?: string | undefined },
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      // The smallest string above `after` is `after` followed by U+0000.
      ':from': page.after ? `${page.after}\u0000` : TIMELINE_PREFIX,
      ':to': TIMELINE_END,
    },
    ScanIndexForward: true,
    Limit: page.limit,
  };
}

/**
 * One page of one partition's timeline read backwards, newest first, up to and including the sort key
 * `before` (BETWEEN is inclusive: the reader drops that item, the last one it already answered). The
 * web chat shows a long history from its end and pages back (ScanIndexForward false).
 */
export function queryTimelineBackInput(
  table: string,
  customerId: string,
  page: { limit: number; before?: string | undefined },
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':from': TIMELINE_PREFIX,
      ':to': page.before ?? TIMELINE_END,
    },
    ScanIndexForward: false,
    Limit: page.limit,
  };
}

/** Records the conversation a thread id (email Message-ID) belongs to; the first link wins. */
export function linkThreadInput(
  table: string,
  channel: Channel,
  threadId: string,
  link: { customerId: string; conversationId: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.messageRef(channel, threadId),
    UpdateExpression:
      'SET entity = :entity, customerId = if_not_exists(customerId, :customerId), conversationId = if_not_exists(conversationId, :conversationId)',
    ExpressionAttributeValues: {
      ':entity': 'message_ref',
      ':customerId': link.customerId,
      ':conversationId': link.conversationId,
    },
  };
}

/**
 * Claims an email's Message-ID for the first envelope that carries it: each field is set once, and the
 * write returns what is kept (one UpdateItem on the Message-ID's own item, which the thread link shares).
 */
export function claimMailInput(
  table: string,
  threadId: string,
  claim: { envelopeId: string; customerId: string; digest: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.messageRef('email', threadId),
    UpdateExpression:
      'SET entity = :entity, mailEnvelopeId = if_not_exists(mailEnvelopeId, :envelopeId), mailCustomerId = if_not_exists(mailCustomerId, :customerId), mailDigest = if_not_exists(mailDigest, :digest)',
    ExpressionAttributeValues: {
      ':entity': 'message_ref',
      ':envelopeId': claim.envelopeId,
      ':customerId': claim.customerId,
      ':digest': claim.digest,
    },
    ReturnValues: 'ALL_NEW',
  };
}

/**
 * The customer's latest inbound messages on a channel, newest first (`Limit` the lookback, 100, read in pages
 * by `readBack`); with `upTo` (a conversation's `lastInboundAt`) from that time back (`<at>#<id>` < `<at>$`).
 */
export function queryLastInboundInput(
  table: string,
  customerId: string,
  channel: Channel,
  conversationId?: string,
  upTo?: string,
): QueryCommandInput {
  const range = upTo === undefined ? 'begins_with(sk, :prefix)' : 'sk BETWEEN :prefix AND :upTo';
  return {
    TableName: table,
    KeyConditionExpression: `pk = :pk AND ${range}`,
    FilterExpression: `channel = :channel AND direction = :inbound${conversationId ? ' AND conversationId = :conversation' : ''}`,
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':prefix': TIMELINE_PREFIX,
      ...(upTo === undefined ? {} : { ':upTo': `${TIMELINE_PREFIX}${upTo}$` }),
      ':channel': channel,
      ':inbound': 'inbound',
      ...(conversationId ? { ':conversation': conversationId } : {}),
    },
    ScanIndexForward: false,
    Limit: LAST_INBOUND_LOOKBACK,
  };
}

/**
 * One page (WATERMARK_PAGE items, newest first, at or before `at`) of a customer's outbound messages on
 * a channel that a watermark receipt (`status` at `at`: everything at or before it) may move: those
 * sent (a provider id, `sent` or beyond), never a `failed` one (it never reached the customer). Those
 * at the status or beyond come too: the first of them ends the walk (see `advanceWatermark`). Keys and
 * the rank only: the write that follows needs nothing else.
 */
export function queryWatermarkInput(
  table: string,
  customerId: string,
  receipt: { channel: Channel; at: string; status: DeliveryStatus },
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression:
      'channel = :channel AND direction = :outbound AND attribute_exists(providerMessageId) AND statusRank >= :sent AND #status <> :failed',
    ProjectionExpression: 'pk, sk, statusRank',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':from': TIMELINE_PREFIX,
      // Every item of the watermark's millisecond too: `<at>#<id>` sorts below `<at>$`.
      ':to': `${TIMELINE_PREFIX}${receipt.at}$`,
      ':channel': receipt.channel,
      ':outbound': 'outbound',
      ':sent': statusRank('sent'),
      ':failed': 'failed',
    },
    ScanIndexForward: false,
    Limit: WATERMARK_PAGE,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** Keeps a raw provider event once, apart from the timeline. */
export function putProviderEventInput(table: string, envelope: Envelope): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...Keys.providerEvent(envelope.provider, envelope.occurredAt, envelope.id),
      entity: 'provider_event',
      envelope: JSON.stringify(envelope),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}
