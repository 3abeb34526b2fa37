import type {
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Channel, DeliveryStatus, Identity, ProviderError } from '../domain/envelope.js';
import { identityToken } from '../domain/identity.js';
import { statusRank, type TimelineItem } from '../domain/timeline.js';

/**
 * Single-table keys. Every access pattern is named here and listed in the README:
 *
 * | pattern                | key                                                              |
 * |------------------------|------------------------------------------------------------------|
 * | identity → customer    | GetItem  pk=IDENTITY#<kind>#<value>, sk=IDENTITY                 |
 * | customer profile       | GetItem  pk=CUSTOMER#<id>, sk=PROFILE                            |
 * | customer timeline      | Query    pk=CUSTOMER#<id>, sk begins_with TIMELINE#               |
 * | customers by name      | Query    gsi1 gsi1pk=CUSTOMER_NAME, gsi1sk begins_with <name>     |
 * | conversation           | GetItem  pk=CONVERSATION#<id>, sk=CONVERSATION                   |
 * | inbox by status        | Query    gsi1 gsi1pk=INBOX#<status>, gsi1sk=<waitingSince>#<id>   |
 * | message by provider id | GetItem  pk=MESSAGE#<channel>#<providerMessageId>, sk=MESSAGE     |
 */
export const Keys = {
  identity: (identity: Identity) => ({ pk: `IDENTITY#${identityToken(identity)}`, sk: 'IDENTITY' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  timelineItem: (customerId: string, at: string, itemId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `TIMELINE#${at}#${itemId}`,
  }),
  conversation: (conversationId: string) => ({
    pk: `CONVERSATION#${conversationId}`,
    sk: 'CONVERSATION',
  }),
  messageRef: (channel: Channel, providerMessageId: string) => ({
    pk: `MESSAGE#${channel}#${providerMessageId}`,
    sk: 'MESSAGE',
  }),
} as const;

/** Partition of the customer-name index. */
export const CUSTOMER_NAME_PARTITION = 'CUSTOMER_NAME';
/** Inbox index partition of a conversation status. */
export const inboxPartition = (status: string): string => `INBOX#${status}`;

/** Lower-cased, accent-free form of a name for prefix search. */
export function nameSearchKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Strongly consistent read of an identity item: who holds this phone, email or handle. */
export function getIdentityInput(table: string, identity: Identity): GetCommandInput {
  return { TableName: table, Key: Keys.identity(identity), ConsistentRead: true };
}

/** Claims an identity for a customer; first writer wins (ConditionalCheckFailed for the others). */
export function claimIdentityInput(
  table: string,
  identity: Identity,
  customerId: string,
  now: string,
): PutCommandInput {
  return {
    TableName: table,
    Item: { ...Keys.identity(identity), entity: 'identity', ...identity, customerId, createdAt: now },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** What an inbound event changes on the customer's profile. */
export interface ProfileTouch {
  customerId: string;
  identities: readonly Identity[];
  channel: Channel;
  at: string;
  now: string;
  name?: string;
  /** The conversation to open if the customer has none open. */
  candidateConversationId: string;
  /** Whether to move lastInbound* (only for inbound customer messages). */
  inbound: boolean;
}

/**
 * Upserts the profile for an inbound event. Idempotent: sets are ADDed, first values kept with
 * if_not_exists; the lastInbound* fields move only forward in time (the condition), so a late
 * redelivery cannot move them back; the caller retries with `withLastInbound=false` on a failed check.
 */
export function touchProfileInput(
  table: string,
  touch: ProfileTouch,
  withLastInbound: boolean,
): UpdateCommandInput {
  const names: Record<string, string> = { '#open': 'openConversationId' };
  const values: Record<string, unknown> = {
    ':entity': 'customer',
    ':id': touch.customerId,
    ':now': touch.now,
    ':identities': new Set(touch.identities.map(identityToken)),
    ':channels': new Set([touch.channel]),
    ':conv': touch.candidateConversationId,
  };
  const sets = [
    'entity = :entity',
    'id = :id',
    'createdAt = if_not_exists(createdAt, :now)',
    '#open = if_not_exists(#open, :conv)',
  ];
  if (touch.name) {
    names['#name'] = 'name';
    values[':name'] = touch.name;
    values[':namePk'] = CUSTOMER_NAME_PARTITION;
    values[':nameSk'] = `${nameSearchKey(touch.name)}#${touch.customerId}`;
    sets.push(
      '#name = if_not_exists(#name, :name)',
      'gsi1pk = if_not_exists(gsi1pk, :namePk)',
      'gsi1sk = if_not_exists(gsi1sk, :nameSk)',
    );
  }
  let condition: string | undefined;
  if (withLastInbound && touch.inbound) {
    values[':at'] = touch.at;
    values[':channel'] = touch.channel;
    sets.push('lastInboundAt = :at', 'lastInboundChannel = :channel');
    condition = 'attribute_not_exists(lastInboundAt) OR lastInboundAt <= :at';
  }
  return {
    TableName: table,
    Key: Keys.customer(touch.customerId),
    UpdateExpression: `SET ${sets.join(', ')} ADD identities :identities, channels :channels`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(condition ? { ConditionExpression: condition } : {}),
    ReturnValues: 'ALL_NEW',
  };
}

/** Writes a timeline item once: a redelivered envelope finds it there and changes nothing. */
export function putTimelineItemInput(table: string, item: TimelineItem, raw: unknown): PutCommandInput {
  const record: Record<string, unknown> = {
    ...Keys.timelineItem(item.customerId, item.at, item.id),
    entity: 'timeline',
    ...item,
  };
  if (item.status) record.statusRank = statusRank(item.status);
  if (raw !== undefined) record.raw = JSON.stringify(raw);
  return { TableName: table, Item: record, ConditionExpression: 'attribute_not_exists(pk)' };
}

/** What an inbound event changes on the conversation. */
export interface ConversationTouch {
  conversationId: string;
  customerId: string;
  channel: Channel;
  at: string;
  now: string;
  inbound: boolean;
}

/**
 * Upserts the conversation an event belongs to. Creation fields are if_not_exists; the inbox key is
 * set once when the customer starts waiting, so the index is not rewritten for every message.
 */
export function touchConversationInput(table: string, touch: ConversationTouch): UpdateCommandInput {
  const sets = [
    'entity = :entity',
    'id = :id',
    'customerId = :customerId',
    'createdAt = if_not_exists(createdAt, :now)',
    '#status = if_not_exists(#status, :open)',
    'channel = :channel',
  ];
  const values: Record<string, unknown> = {
    ':entity': 'conversation',
    ':id': touch.conversationId,
    ':customerId': touch.customerId,
    ':now': touch.now,
    ':open': 'open',
    ':channel': touch.channel,
    ':at': touch.at,
  };
  sets.push('lastMessageAt = :at');
  if (touch.inbound) {
    values[':inbox'] = inboxPartition('open');
    values[':inboxSk'] = `${touch.at}#${touch.conversationId}`;
    sets.push(
      'waitingSince = if_not_exists(waitingSince, :at)',
      'gsi1pk = if_not_exists(gsi1pk, :inbox)',
      'gsi1sk = if_not_exists(gsi1sk, :inboxSk)',
    );
  }
  return {
    TableName: table,
    Key: Keys.conversation(touch.conversationId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
    // lastMessageAt never moves back: an older redelivery fails the check and changes nothing.
    ConditionExpression: 'attribute_not_exists(lastMessageAt) OR lastMessageAt <= :at',
  };
}

/** A delivery status to record. */
export interface StatusChange {
  status: DeliveryStatus;
  at: string;
  errors?: ProviderError[] | undefined;
}

function statusSets(change: StatusChange): {
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
 * yet, so a status that arrives before its message is kept and applied when the message lands.
 */
export function advanceMessageRefInput(
  table: string,
  channel: Channel,
  providerMessageId: string,
  change: StatusChange,
): UpdateCommandInput {
  const { expression, values } = statusSets(change);
  return {
    TableName: table,
    Key: Keys.messageRef(channel, providerMessageId),
    UpdateExpression: `SET entity = :entity, ${expression}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ...values, ':entity': 'message_ref' },
    ConditionExpression: 'attribute_not_exists(statusRank) OR statusRank < :rank',
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

/** Links a message reference to its timeline item (first link wins) and returns any status it holds. */
export function linkMessageRefInput(
  table: string,
  channel: Channel,
  providerMessageId: string,
  target: { customerId: string; timelineSk: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.messageRef(channel, providerMessageId),
    UpdateExpression:
      'SET entity = :entity, customerId = if_not_exists(customerId, :customerId), timelineSk = if_not_exists(timelineSk, :sk)',
    ExpressionAttributeValues: {
      ':entity': 'message_ref',
      ':customerId': target.customerId,
      ':sk': target.timelineSk,
    },
    ReturnValues: 'ALL_NEW',
  };
}

/** One page of a customer's timeline, oldest first. */
export function queryTimelineInput(
  table: string,
  customerId: string,
  page: { limit: number; startKey?: Record<string, unknown> | undefined },
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': Keys.customer(customerId).pk, ':prefix': 'TIMELINE#' },
    ScanIndexForward: true,
    Limit: page.limit,
    ...(page.startKey ? { ExclusiveStartKey: page.startKey } : {}),
  };
}

/** Customers whose name starts with a prefix. */
export function queryCustomersByNameInput(table: string, prefix: string, limit: number): QueryCommandInput {
  return {
    TableName: table,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
    ExpressionAttributeValues: { ':pk': CUSTOMER_NAME_PARTITION, ':prefix': nameSearchKey(prefix) },
    Limit: limit,
  };
}

/** The inbox: conversations of one status, longest waiting first. */
export function queryInboxInput(
  table: string,
  filter: { status: string; assignee?: string | undefined; queue?: string | undefined },
  page: { limit: number; startKey?: Record<string, unknown> | undefined },
): QueryCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': inboxPartition(filter.status) };
  const filters: string[] = [];
  if (filter.assignee === 'unassigned') {
    filters.push('attribute_not_exists(assignee)');
  } else if (filter.assignee) {
    values[':assignee'] = filter.assignee;
    filters.push('assignee = :assignee');
  }
  if (filter.queue) {
    names['#queue'] = 'queue';
    values[':queue'] = filter.queue;
    filters.push('#queue = :queue');
  }
  return {
    TableName: table,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: values,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
    ScanIndexForward: true,
    Limit: page.limit,
    ...(page.startKey ? { ExclusiveStartKey: page.startKey } : {}),
  };
}

/** Get by key, for profile, conversation and message reference reads. */
export function getInput(
  table: string,
  key: { pk: string; sk: string },
  consistent = false,
): GetCommandInput {
  return { TableName: table, Key: key, ...(consistent ? { ConsistentRead: true } : {}) };
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
