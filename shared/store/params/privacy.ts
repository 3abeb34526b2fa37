import type {
  DeleteCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Provider } from '../../domain/envelope.js';
import type { ErasureReport } from '../../domain/privacy.js';
import { erasedMarkerKey, Keys, mentionsPartition, THREAD_NOTE_PREFIX, TIMELINE_PREFIX } from '../keys.js';
import { queryPrefixInput } from './common.js';

/** One page of everyone who mentioned the identity of a token: just the keys and who, to delete them. */
export function queryMentionersInput(
  table: string,
  token: string,
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': mentionsPartition(token) },
    ProjectionExpression: 'pk, sk, customerId',
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * What a raw provider event naming one of the identities (`<kind>#<value>` tokens) contains: each
 * value, and a phone number also without its `+` (as WhatsApp and Twilio write some of them).
 */
export function identitySearchTerms(tokens: readonly string[]): string[] {
  const terms = new Set<string>();
  for (const token of tokens) {
    const value = token.slice(token.indexOf('#') + 1);
    if (!value) continue;
    terms.add(value);
    if (token.startsWith('phone#') && value.startsWith('+') && value.length > 1) terms.add(value.slice(1));
  }
  return [...terms];
}

/**
 * One page of a provider's raw events (those that reached no customer) that contain any of the terms:
 * just their keys, to delete them. The filter runs after the read, so every page of the partition is
 * read; a page may hold no match and still have a next one.
 */
export function queryProviderEventsNamingInput(
  table: string,
  provider: Provider,
  terms: readonly string[],
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  const values = Object.fromEntries(terms.map((term, i) => [`:v${i}`, term]));
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: terms.map((_, i) => `contains(#envelope, :v${i})`).join(' OR '),
    ExpressionAttributeNames: { '#envelope': 'envelope' },
    ExpressionAttributeValues: { ':pk': Keys.providerEvent(provider, '', '').pk, ...values },
    ProjectionExpression: 'pk, sk',
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** Takes an erased identity's token off a mentioner's profile (if the profile is still there). */
export function forgetMentionInput(table: string, customerId: string, token: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'DELETE mentioned :token',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':token': new Set([token]) },
  };
}

/** One page of one partition's timeline items, whole, for erasure. */
export function queryTimelineItemsInput(
  table: string,
  customerId: string,
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return queryPrefixInput(table, Keys.customer(customerId).pk, TIMELINE_PREFIX, startKey);
}

/**
 * One page of a partition's timeline items that name an email thread link (an email's own
 * Message-ID, `data.messageId`, or the one our reply wrote, `messageIdHeader`) or a provider reference
 * (`providerMessageId`, and for an event its own id: see `providerReferencesOf`): those ids only.
 */
export function queryReferencingItemsInput(
  table: string,
  customerId: string,
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    ...queryPrefixInput(table, Keys.customer(customerId).pk, TIMELINE_PREFIX, startKey),
    FilterExpression:
      'attribute_exists(#data.messageId) OR attribute_exists(messageIdHeader) OR attribute_exists(providerMessageId)',
    // `from`, Reply-To and `event` too: the addresses whose suppressions go (see forgetSuppressions).
    ProjectionExpression:
      'pk, sk, channel, direction, #from, #data.messageId, #data.replyToAddresses, messageIdHeader, providerMessageId, #type, #id, #event',
    ExpressionAttributeNames: {
      '#data': 'data',
      '#type': 'type',
      '#id': 'id',
      '#from': 'from',
      '#event': 'event',
    },
  };
}

/** One page of the thread-link notes under a customer (see `Keys.threadNote`), for erasure. */
export function queryThreadNotesInput(table: string, customerId: string, limit: number): QueryCommandInput {
  return { ...queryPrefixInput(table, Keys.customer(customerId).pk, THREAD_NOTE_PREFIX), Limit: limit };
}

/**
 * How long an erased message's marker stays: longer than any provider redelivers (WhatsApp retries a
 * webhook for up to 7 days, Graph 36 hours, SNS and Twilio minutes) and than a dead-lettered envelope
 * waits to be redriven (14 days).
 */
export const ERASED_MESSAGE_TTL_SECONDS = 14 * 24 * 60 * 60;

/**
 * The marker an erasure leaves for a provider reference (`MESSAGE#<channel>#<id>`, deleted beside it):
 * it names nothing (no customer, no text, and no provider id: it is kept under a hash of the
 * reference's key, see `erasedMarkerKey`; only that an erasure took it, and when), expiring after
 * ERASED_MESSAGE_TTL_SECONDS: a provider's retry of the message then finds it and is dropped as seen.
 */
export function markErasedMessageInput(
  table: string,
  reference: { pk: string; sk: string },
  now: string,
): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...erasedMarkerKey(reference),
      entity: 'erased_message',
      erasedAt: now,
      ttl: Math.floor(Date.parse(now) / 1000) + ERASED_MESSAGE_TTL_SECONDS,
    },
  };
}

/** Deletes one item for an erasure, answering what was there: an erasure counts only real deletes. */
export function deleteErasedInput(table: string, key: { pk: string; sk: string }): DeleteCommandInput {
  return { TableName: table, Key: key, ReturnValues: 'ALL_OLD' };
}

/**
 * Marks a profile as being erased, once (the first call's time and agent stay): reads answer 410 and
 * the resolver holds the customer's events back until the tombstone replaces it.
 */
export function markErasingInput(
  table: string,
  customerId: string,
  now: string,
  agentId: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression:
      'SET erasingSince = if_not_exists(erasingSince, :now), erasingBy = if_not_exists(erasingBy, :agent)',
    // Not while an unmerge of the customer is under way (as its source, or noted on its group's root),
    // unless this erasure began before: an erasure and an unmerge never both go on.
    ConditionExpression:
      'entity = :customer AND (attribute_exists(erasingSince) OR (attribute_not_exists(unmergingFrom) AND attribute_not_exists(unmergingSources)))',
    ExpressionAttributeValues: { ':now': now, ':agent': agentId, ':customer': 'customer' },
  };
}

/**
 * Keeps, on a profile an erasure has not finished, its progress marker: how many timeline items,
 * conversations and live events it deleted, the steps done (and how many there are) and where inside
 * the next one it stopped.
 */
export function saveErasureProgressInput(
  table: string,
  customerId: string,
  progress: Pick<ErasureReport, 'timelineItems' | 'conversations' | 'liveEvents'> & {
    step: number;
    /** How many steps the erasure has per profile: a marker of another version's steps is not resumed. */
    steps: number;
    cursor?: string | undefined;
  },
): UpdateCommandInput {
  const values: Record<string, unknown> = {
    ':n': progress.timelineItems,
    ':c': progress.conversations,
    ':l': progress.liveEvents,
    ':step': progress.step,
    ':steps': progress.steps,
    ':erased': 'erased_customer',
  };
  let update =
    'SET erasedTimelineItems = :n, erasedConversations = :c, erasedLiveEvents = :l, erasureStep = :step, erasureSteps = :steps';
  if (progress.cursor) {
    values[':cursor'] = progress.cursor;
    update += ', erasureCursor = :cursor';
  } else update += ' REMOVE erasureCursor';
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: update,
    ConditionExpression: 'attribute_exists(pk) AND entity <> :erased',
    ExpressionAttributeValues: values,
  };
}

/**
 * The tombstone that replaces an erased profile: the erasure's report on the customer asked for, the
 * time and the agent on everyone merged with them. Nothing that names the person.
 */
export function putTombstoneInput(
  table: string,
  customerId: string,
  record: ErasureReport | { erasedAt: string; erasedBy: string },
): PutCommandInput {
  return {
    TableName: table,
    Item: { ...Keys.customer(customerId), entity: 'erased_customer', id: customerId, ...record },
  };
}
