import type {
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Channel, DeliveryStatus, Identity, ProviderError } from '../domain/envelope.js';
import { identityToken } from '../domain/identity.js';
import type { InboxFilter } from '../domain/inbox.js';
import type {
  ContactState,
  ConversationTouch,
  ProfileTouch,
  SuggestionEvidence,
} from '../domain/resolver.js';
import { statusRank, type TimelineItem } from '../domain/timeline.js';

function identityKey(token: string): { pk: string; sk: string } {
  return { pk: `IDENTITY#${token}`, sk: 'IDENTITY' };
}

/** Sort-key prefix of a customer's timeline items. */
export const TIMELINE_PREFIX = 'TIMELINE#';
/** Sort-key prefix of the merge suggestions on a customer's profile. */
export const SUGGESTION_PREFIX = 'SUGGESTION#';
/** Partition of everyone who mentioned the identity of a token (`<kind>#<value>`). */
export const mentionsPartition = (token: string): string => `MENTION#${token}`;

/**
 * Single-table keys. Every access pattern is named here and listed in the README:
 *
 * | pattern                | key                                                              |
 * |------------------------|------------------------------------------------------------------|
 * | identity → customer    | GetItem  pk=IDENTITY#<kind>#<value>, sk=IDENTITY                 |
 * | customer profile       | GetItem  pk=CUSTOMER#<id>, sk=PROFILE                            |
 * | customer timeline      | Query    pk=CUSTOMER#<id>, sk begins_with TIMELINE#               |
 * | merge suggestions      | Query    pk=CUSTOMER#<id>, sk begins_with SUGGESTION#             |
 * | customers by name      | Query    gsi1 gsi1pk=CUSTOMER_NAME, gsi1sk begins_with <name>     |
 * | conversation           | GetItem  pk=CONVERSATION#<id>, sk=CONVERSATION                   |
 * | inbox by status        | Query    gsi1 gsi1pk=INBOX#<status>, gsi1sk=<waitingSince>#<id>   |
 * | message by provider id | GetItem  pk=MESSAGE#<channel>#<providerMessageId>, sk=MESSAGE     |
 * | who mentioned identity | Query    pk=MENTION#<kind>#<value>, sk=CUSTOMER#<id>              |
 * | contact state (opt-out)| GetItem  pk=CONTACT#<kind>#<value>, sk=CONTACT                    |
 * | agent                  | GetItem  pk=AGENT#<id>, sk=AGENT                                 |
 * | every agent            | Query    gsi1 gsi1pk=AGENTS, gsi1sk=<id>                         |
 */
export const Keys = {
  identity: (identity: Identity) => identityKey(identityToken(identity)),
  /** The identity item of a token (`<kind>#<value>`), as profiles list their identities. */
  identityByToken: (token: string) => identityKey(token),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  timelineItem: (customerId: string, at: string, itemId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `${TIMELINE_PREFIX}${at}#${itemId}`,
  }),
  conversation: (conversationId: string) => ({
    pk: `CONVERSATION#${conversationId}`,
    sk: 'CONVERSATION',
  }),
  agent: (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'AGENT' }),
  contactState: (identity: Identity) => ({ pk: `CONTACT#${identityToken(identity)}`, sk: 'CONTACT' }),
  messageRef: (channel: Channel, providerMessageId: string) => ({
    pk: `MESSAGE#${channel}#${providerMessageId}`,
    sk: 'MESSAGE',
  }),
  /** That a customer mentioned the identity of a token (`<kind>#<value>`). */
  mention: (token: string, customerId: string) => ({
    pk: mentionsPartition(token),
    sk: `CUSTOMER#${customerId}`,
  }),
} as const;

/** Partition of the agents in the gsi1 index. */
export const AGENTS_PARTITION = 'AGENTS';
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

/**
 * Who holds this phone, email or handle. An eventually consistent read (half a read unit) is enough
 * on the hot path, because a claim is conditional: the rare miss is caught by the claim failing and a
 * strongly consistent read after it.
 */
export function getIdentityInput(table: string, identity: Identity, consistent = false): GetCommandInput {
  return { TableName: table, Key: Keys.identity(identity), ...(consistent ? { ConsistentRead: true } : {}) };
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

/**
 * Upserts the profile for an event; the resolver writes it last. `current` for an event newer than
 * both the last one seen and the last resolution: it may (re)point the open conversation and move the
 * last-inbound fields. `stale` (the retry after a failed check) only adds identities, channels and
 * the conversation to their sets, which are order-independent.
 */
export function touchProfileInput(
  table: string,
  touch: ProfileTouch,
  phase: 'current' | 'stale',
): UpdateCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':entity': 'customer',
    ':id': touch.customerId,
    ':now': touch.now,
    ':identities': new Set(touch.identities.map(identityToken)),
    ':channels': new Set([touch.channel]),
    ':conversations': new Set([touch.conversationId]),
  };
  const sets = ['entity = :entity', 'id = :id', 'createdAt = if_not_exists(createdAt, :now)'];
  const adds = ['identities :identities', 'channels :channels', 'conversationIds :conversations'];
  if (touch.mentioned?.length) {
    values[':mentioned'] = new Set(touch.mentioned.map(identityToken));
    adds.push('mentioned :mentioned');
  }
  let condition: string | undefined;
  if (phase === 'current') {
    names['#open'] = 'openConversationId';
    values[':conv'] = touch.conversationId;
    values[':at'] = touch.at;
    sets.push('#open = :conv', 'lastEventAt = :at');
    if (touch.inbound) {
      names['#channelInbound'] = `lastInbound_${touch.channel}`;
      values[':channel'] = touch.channel;
      sets.push('lastInboundAt = :at', 'lastInboundChannel = :channel', '#channelInbound = :at');
    }
    condition =
      '(attribute_not_exists(lastEventAt) OR lastEventAt <= :at) AND (attribute_not_exists(lastResolvedAt) OR lastResolvedAt < :at)';
  }
  return {
    TableName: table,
    Key: Keys.customer(touch.customerId),
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
    ...(condition ? { ConditionExpression: condition } : {}),
  };
}

/** Sets the name from the earliest event that carried one (and indexes it for search). */
export function setNameInput(
  table: string,
  customerId: string,
  name: string,
  at: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'SET #name = :name, nameAt = :at, gsi1pk = :namePk, gsi1sk = :nameSk',
    ExpressionAttributeNames: { '#name': 'name' },
    ExpressionAttributeValues: {
      ':name': name,
      ':at': at,
      ':namePk': CUSTOMER_NAME_PARTITION,
      ':nameSk': `${nameSearchKey(name)}#${customerId}`,
    },
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(nameAt) OR nameAt > :at)',
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

/**
 * Upserts the conversation an event belongs to. `current` for an event newer than the conversation's
 * last message and its resolution; `reopen` also puts a resolved conversation back in the open inbox;
 * `stale` (the retry after a failed check) only adds the channel, so the channel set, which flags a
 * channel switch, is the same whatever order messages arrive in.
 */
export function touchConversationInput(
  table: string,
  touch: ConversationTouch,
  phase: 'current' | 'stale',
): UpdateCommandInput {
  const key = Keys.conversation(touch.conversationId);
  const values: Record<string, unknown> = {
    ':entity': 'conversation',
    ':id': touch.conversationId,
    ':customerId': touch.customerId,
    ':now': touch.now,
  };
  const sets = [
    'entity = :entity',
    'id = :id',
    'customerId = :customerId',
    'createdAt = if_not_exists(createdAt, :now)',
  ];
  const adds: string[] = [];
  if (touch.inbound) {
    values[':channels'] = new Set([touch.channel]);
    adds.push('channels :channels');
  }
  if (touch.previousConversationId) {
    values[':previous'] = touch.previousConversationId;
    sets.push('previousConversationId = if_not_exists(previousConversationId, :previous)');
  }
  if (phase === 'stale') {
    return {
      TableName: table,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
      ExpressionAttributeValues: values,
    };
  }
  values[':open'] = 'open';
  values[':channel'] = touch.channel;
  values[':at'] = touch.at;
  sets.push('channel = :channel', 'lastMessageAt = :at');
  const removes: string[] = [];
  if (touch.reopen) {
    values[':inbox'] = inboxPartition('open');
    values[':inboxSk'] = `${touch.at}#${touch.conversationId}`;
    sets.push('#status = :open', 'waitingSince = :at', 'gsi1pk = :inbox', 'gsi1sk = :inboxSk');
    removes.push('resolvedAt');
  } else {
    sets.push('#status = if_not_exists(#status, :open)');
    if (touch.inbound) {
      values[':inbox'] = inboxPartition('open');
      values[':inboxSk'] = `${touch.at}#${touch.conversationId}`;
      sets.push(
        'waitingSince = if_not_exists(waitingSince, :at)',
        'gsi1pk = if_not_exists(gsi1pk, :inbox)',
        'gsi1sk = if_not_exists(gsi1sk, :inboxSk)',
      );
    }
  }
  return {
    TableName: table,
    Key: key,
    UpdateExpression: [
      `SET ${sets.join(', ')}`,
      adds.length ? `ADD ${adds.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
    // Never moved back by an older event, and never reopened by one older than the resolution.
    ConditionExpression:
      '(attribute_not_exists(lastMessageAt) OR lastMessageAt <= :at) AND (attribute_not_exists(resolvedAt) OR resolvedAt < :at)',
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

/** Upper bound of timeline sort keys: every `TIMELINE#...` key sorts below `TIMELINE$`. */
const TIMELINE_END = 'TIMELINE$';

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
  filter: InboxFilter,
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
  if (filter.channel) {
    // Any channel the customer wrote on in the conversation.
    values[':channel'] = filter.channel;
    filters.push('contains(channels, :channel)');
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

/** Remembers that a customer mentioned an identity, so whoever claims it later meets the suggestion. */
export function putMentionInput(
  table: string,
  identity: Identity,
  customerId: string,
  evidence: SuggestionEvidence,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.mention(identityToken(identity), customerId),
    UpdateExpression: 'SET entity = :entity, customerId = :customerId ADD evidence :evidence',
    ExpressionAttributeValues: {
      ':entity': 'mention',
      ':customerId': customerId,
      ':evidence': new Set([JSON.stringify(evidence)]),
    },
  };
}

/** Everyone who mentioned an identity. */
export function queryMentionsInput(table: string, identity: Identity): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': mentionsPartition(identityToken(identity)) },
    Limit: 50,
  };
}

/** Key of the suggestion, on `customerId`'s profile, that `otherId` may be the same person. */
export function suggestionKey(customerId: string, otherId: string): { pk: string; sk: string } {
  return { pk: Keys.customer(customerId).pk, sk: `${SUGGESTION_PREFIX}${otherId}` };
}

/** Raises a suggestion or adds evidence to it; its status (open, dismissed, accepted) is kept. */
export function putSuggestionInput(
  table: string,
  customerId: string,
  otherId: string,
  evidence: SuggestionEvidence,
  now: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: suggestionKey(customerId, otherId),
    UpdateExpression:
      'SET entity = :entity, customerId = :customerId, otherId = :otherId, #status = if_not_exists(#status, :open), createdAt = if_not_exists(createdAt, :now) ADD evidence :evidence',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':entity': 'suggestion',
      ':customerId': customerId,
      ':otherId': otherId,
      ':open': 'open',
      ':now': now,
      ':evidence': new Set([JSON.stringify(evidence)]),
    },
  };
}

/** Records whether an address may be contacted; only a later event changes it. */
export function setContactStateInput(
  table: string,
  identity: Identity,
  state: ContactState,
): PutCommandInput {
  return {
    TableName: table,
    Item: { ...Keys.contactState(identity), entity: 'contact_state', ...identity, ...state },
    ConditionExpression: 'attribute_not_exists(pk) OR #at < :at',
    ExpressionAttributeNames: { '#at': 'at' },
    ExpressionAttributeValues: { ':at': state.at },
  };
}

/**
 * An inbound event older than the profile's last one still counts for its channel's reply window:
 * moves `lastInbound_<channel>` forward to it if it is later than the value there.
 */
export function advanceChannelInboundInput(
  table: string,
  touch: { customerId: string; channel: Channel; at: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(touch.customerId),
    UpdateExpression: 'SET #channelInbound = :at',
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(#channelInbound) OR #channelInbound < :at)',
    ExpressionAttributeNames: { '#channelInbound': `lastInbound_${touch.channel}` },
    ExpressionAttributeValues: { ':at': touch.at },
  };
}

/**
 * An inbound message older than the open conversation's last one still started the wait if it came
 * before `waitingSince`: moves the wait, and the inbox order, back to it.
 */
export function earlierWaitInput(
  table: string,
  touch: { conversationId: string; at: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(touch.conversationId),
    UpdateExpression: 'SET waitingSince = :at, gsi1sk = :inboxSk',
    ConditionExpression: '#status = :open AND waitingSince > :at',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':at': touch.at,
      ':open': 'open',
      ':inboxSk': `${touch.at}#${touch.conversationId}`,
    },
  };
}
