import type {
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { CsatPending } from '../../domain/csat/survey.js';
import type { Identity } from '../../domain/envelope.js';
import { identityToken } from '../../domain/identity.js';
import type { ContactState, ProfileTouch } from '../../domain/resolver-ports.js';
import { listedByFirstWrite } from '../customer-list.js';
import {
  CUSTOMER_NAME_PARTITION,
  Keys,
  MEMBERSHIP_PREFIX,
  nameSearchKey,
  nameShardPartition,
  nameSortKey,
} from '../keys.js';
import { LIST_INDEX } from '../table.js';
import { queryPrefixInput } from './common.js';
import { fillReplyNumbers, setReplyNumbers } from './reply-numbers.js';

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
 * A profile touch never lands on a customer being erased or erased: a tombstone is not made a profile
 * again (its `identities` is a count, which refused the touch's ADD of a set: ValidationException).
 */
export const NOT_ERASING =
  '(attribute_not_exists(entity) OR entity <> :erased) AND attribute_not_exists(erasingSince)';

/**
 * Upserts the profile for an event; the resolver writes it last. `current` for an event newer than
 * both the last one seen and the last resolution: it may (re)point the open conversation and move the
 * last-inbound fields. `stale` (the retry after a failed check) only adds identities and channels to
 * their sets, which are order-independent and bounded. Neither writes on a customer whose erasure began.
 * The conversation is recorded by its own membership item (see `putMembershipInput`), never in a set on
 * the profile.
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
    ':channels': new Set([touch.channel]),
    ':erased': 'erased_customer',
  };
  const sets = ['entity = :entity', 'id = :id', 'createdAt = if_not_exists(createdAt, :now)'];
  const adds = ['channels :channels'];
  if (touch.firstContact) sets.push(...listedByFirstWrite(values, touch.customerId, touch.now));
  // A set may not be empty: a profile of unauthenticated mail owns no identity.
  if (touch.identities.length) {
    values[':identities'] = new Set(touch.identities.map(identityToken));
    adds.unshift('identities :identities');
  }
  if (touch.mentioned?.length) {
    values[':mentioned'] = new Set(touch.mentioned.map(identityToken));
    adds.push('mentioned :mentioned');
  }
  if (touch.typedEmail !== undefined) {
    values[':typedEmail'] = touch.typedEmail;
    sets.push('typedEmail = :typedEmail');
  }
  if (touch.name) {
    // The first name stays; a later event's that got there first is replaced by `setNameInput`.
    names['#name'] = 'name';
    Object.assign(values, nameValues(touch.customerId, touch.name.value, touch.name.at));
    sets.push(
      '#name = if_not_exists(#name, :name)',
      'nameAt = if_not_exists(nameAt, :nameAt)',
      'gsi1pk = if_not_exists(gsi1pk, :namePk)',
      'gsi1sk = if_not_exists(gsi1sk, :nameSk)',
    );
  }
  if (touch.nameLookedUp) sets.push('nameLookupAt = if_not_exists(nameLookupAt, :now)');
  const removes: string[] = [];
  let condition = NOT_ERASING;
  if (phase === 'current') {
    setReplyNumbers(touch, values, sets, removes);
    names['#open'] = 'openConversationId';
    values[':conv'] = touch.conversationId;
    values[':at'] = touch.at;
    sets.push('#open = :conv', 'lastEventAt = :at');
    if (touch.inbound) {
      names['#channelInbound'] = `lastInbound_${touch.channel}`;
      values[':channel'] = touch.channel;
      sets.push('lastInboundAt = :at', 'lastInboundChannel = :channel', '#channelInbound = :at');
    }
    condition +=
      ' AND (attribute_not_exists(lastEventAt) OR lastEventAt <= :at) AND (attribute_not_exists(lastResolvedAt) OR lastResolvedAt < :at)';
  } else {
    fillReplyNumbers(touch, values, sets);
  }
  return {
    TableName: table,
    Key: Keys.customer(touch.customerId),
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
    ConditionExpression: condition,
    // What the write left (no unit more): a name another event set first is checked without a read,
    // and routing takes the profile from it instead of reading it again.
    ReturnValues: 'ALL_NEW' as const,
  };
}

/** The name attributes' values: the name, its event's time and its place in the sharded name index. */
export function nameValues(customerId: string, name: string, at: string): Record<string, string> {
  return {
    ':name': name,
    ':nameAt': at,
    ':namePk': nameShardPartition(customerId),
    ':nameSk': nameSortKey(name, customerId),
  };
}

/**
 * Unmerge: the source's profile shows an inbound message of its own that the move brings back from the
 * target's partition (the resolver wrote its channel and times on the target's profile while they were
 * merged): the channel, its time there and the last inbound, each only when newer than what the profile
 * holds, so a retry or an older message changes nothing. Written before the item moves: a crash between
 * finds the item again and writes nothing new.
 */
export function advanceSourceInboundInputs(
  table: string,
  sourceId: string,
  message: { channel: string; at: string },
): UpdateCommandInput[] {
  const key = Keys.customer(sourceId);
  return [
    {
      TableName: table,
      Key: key,
      UpdateExpression: 'SET #channelInbound = :at ADD channels :channels',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(#channelInbound) OR #channelInbound < :at)',
      ExpressionAttributeNames: { '#channelInbound': `lastInbound_${message.channel}` },
      ExpressionAttributeValues: { ':at': message.at, ':channels': new Set([message.channel]) },
    },
    {
      TableName: table,
      Key: key,
      UpdateExpression: 'SET lastInboundAt = :at, lastInboundChannel = :channel',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt < :at)',
      ExpressionAttributeValues: { ':at': message.at, ':channel': message.channel },
    },
  ];
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
    UpdateExpression: 'SET #name = :name, nameAt = :nameAt, gsi1pk = :namePk, gsi1sk = :nameSk',
    ExpressionAttributeNames: { '#name': 'name' },
    ExpressionAttributeValues: nameValues(customerId, name, at),
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(nameAt) OR nameAt > :nameAt)',
  };
}

/**
 * The `nameAt` of a name an agent gave: before every event's time, so no provider's name replaces it
 * (the profile touch keeps a name it finds, `setNameInput` replaces only a later event's).
 */
export const AGENT_NAME_AT = '0000-01-01T00:00:00.000Z';

/**
 * An agent's name for a customer, indexed for search as any name; only a customer's profile (no erased
 * one, none being erased). Each counts `nameRev` up: the version its word entries are written at (see
 * `nameVersion`).
 */
export function renameCustomerInput(table: string, customerId: string, name: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression:
      'SET #name = :name, nameAt = :nameAt, gsi1pk = :namePk, gsi1sk = :nameSk ADD nameRev :one',
    ConditionExpression: 'entity = :customer AND attribute_not_exists(erasingSince)',
    ExpressionAttributeNames: { '#name': 'name' },
    ExpressionAttributeValues: {
      ...nameValues(customerId, name, AGENT_NAME_AT),
      ':customer': 'customer',
      ':one': 1,
    },
    // The name as stored, its version, and whether the customer was merged away.
    ReturnValues: 'ALL_NEW',
  };
}

/**
 * Customers whose name starts with a prefix, in one partition of the name index (a shard, or by
 * default the partition written before sharding). After a page (`after`, the sort key it ended on) the
 * key condition can only say `> after`: the caller stops at the first name outside the prefix.
 */
export function queryCustomersByNameInput(
  table: string,
  prefix: string,
  limit: number,
  partition: string = CUSTOMER_NAME_PARTITION,
  after?: string,
): QueryCommandInput {
  return {
    TableName: table,
    IndexName: LIST_INDEX,
    KeyConditionExpression:
      after === undefined
        ? 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)'
        : 'gsi1pk = :pk AND gsi1sk > :after',
    ExpressionAttributeValues:
      after === undefined
        ? { ':pk': partition, ':prefix': nameSearchKey(prefix) }
        : { ':pk': partition, ':after': after },
    Limit: limit,
  };
}

/**
 * Records whether an address may be contacted (toward the number of ours the state names, if any);
 * only a later event changes it.
 */
export function setContactStateInput(
  table: string,
  identity: Identity,
  state: ContactState,
): PutCommandInput {
  return {
    TableName: table,
    Item: { ...Keys.contactState(identity, state.number), entity: 'contact_state', ...identity, ...state },
    ConditionExpression: 'attribute_not_exists(pk) OR #at < :at',
    ExpressionAttributeNames: { '#at': 'at' },
    ExpressionAttributeValues: { ':at': state.at },
  };
}

/** Replaces the customer's tags; an empty list removes them. Never creates a profile. */
export function setTagsInput(table: string, customerId: string, tags: readonly string[]): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: tags.length ? 'SET tags = :tags' : 'REMOVE tags',
    ConditionExpression: 'entity = :customer',
    ExpressionAttributeValues: {
      ':customer': 'customer',
      ...(tags.length ? { ':tags': new Set(tags) } : {}),
    },
  };
}

/**
 * Adds and removes tags without reading them: the set's own ADD and DELETE, so two agents changing
 * different tags at once both keep their change (a replace would lose one). DynamoDB refuses one
 * expression naming `tags` twice, so a change of both kinds is two updates, the additions first.
 */
export function changeTagsInputs(
  table: string,
  customerId: string,
  change: { add: readonly string[]; remove: readonly string[] },
): UpdateCommandInput[] {
  const update = (expression: string, tags: readonly string[]): UpdateCommandInput => ({
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: expression,
    ConditionExpression: 'entity = :customer',
    ExpressionAttributeValues: { ':customer': 'customer', ':tags': new Set(tags) },
  });
  return [
    ...(change.add.length ? [update('ADD tags :tags', change.add)] : []),
    ...(change.remove.length ? [update('DELETE tags :tags', change.remove)] : []),
  ];
}

/** Keeps the survey awaiting the customer's answer on their profile; a later survey wins. Never creates a profile. */
export function setCsatPendingInput(
  table: string,
  customerId: string,
  pending: CsatPending,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'SET csatPending = :pending',
    ConditionExpression:
      'entity = :customer AND (attribute_not_exists(csatPending) OR csatPending.sentAt <= :sentAt)',
    ExpressionAttributeValues: { ':customer': 'customer', ':pending': pending, ':sentAt': pending.sentAt },
  };
}

/**
 * Voids the pending survey about a conversation reopened at `at` (a reply then is about the
 * conversation, not a score): only that conversation's survey, of a resolve before the reopen.
 */
export function voidCsatPendingInput(
  table: string,
  customerId: string,
  conversationId: string,
  at: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'REMOVE csatPending',
    ConditionExpression:
      'csatPending.conversationId = :id AND (attribute_not_exists(csatPending.resolvedAt) OR csatPending.resolvedAt < :at)',
    ExpressionAttributeValues: { ':id': conversationId, ':at': at },
  };
}

/** Reads what a reopen needs of a profile to void its survey: the survey, and where it was merged. */
export function getSurveyHolderInput(table: string, customerId: string): GetCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    ConsistentRead: true,
    ProjectionExpression: 'mergedInto, csatPending',
  };
}

/** Remembers the agent whose reply was last queued to the customer; a later reply wins. */
export function setLastAgentInput(
  table: string,
  customerId: string,
  agentId: string,
  at: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'SET lastAgentId = :agent, lastAgentAt = :at',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastAgentAt) OR lastAgentAt <= :at)',
    ExpressionAttributeValues: { ':agent': agentId, ':at': at },
  };
}

/** Records that a conversation is the customer's; idempotent (the same item whenever it is written). */
export function putMembershipInput(
  table: string,
  customerId: string,
  conversationId: string,
): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...Keys.membership(customerId, conversationId),
      entity: 'customer_conversation',
      customerId,
      conversationId,
    },
  };
}

/** One page of the conversations of one customer partition (their membership items), oldest id first. */
export function queryMembershipsInput(
  table: string,
  customerId: string,
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    ...queryPrefixInput(table, Keys.customer(customerId).pk, MEMBERSHIP_PREFIX, startKey),
    ProjectionExpression: 'pk, sk, conversationId',
  };
}
