import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { InboxFilter } from '../../domain/inbox.js';
import { inboxDueShardPartition, inboxPartition, inboxShardPartition, inboxSortKey, Keys } from '../keys.js';
import { CONVERSATION_LOAD_ATTRIBUTE, INDEX_KEYS, LIST_INDEX, type QueriedIndex } from '../table.js';
import {
  CUSTOMER_TURNS_ATTRIBUTE,
  EPISODE_STATE_ATTRIBUTES,
  notBeforeConversation,
} from './conversation-state.js';
import { REOPEN_REMOVES } from './conversation-touch.js';

// The resolver's touch of a conversation is built in its own module; callers import it from here too.
export {
  earlierPreviewInput,
  isLateReopen,
  isOvertaken,
  lateReopenFollowUp,
  laterInboundInput,
  touchConversationInput,
} from './conversation-touch.js';

/** Whether a message at `at` is older than the first wait of a conversation (as read) nobody answered yet. */
const movesFirstWait = (item: Record<string, unknown> | undefined, at: string): boolean =>
  typeof item?.firstWaitFrom === 'string' && item.firstWaitFrom > at && item.firstResponseAt === undefined;

/**
 * An inbound message older than the open conversation's last one still started the wait if it came
 * before `waitingSince`, and after every answer sent (`answeredAt`, `lastAnswerAt`): moves the wait,
 * and the inbox order, back to it; never to a message from before the conversation
 * (`notBeforeConversation`: it waits from no earlier than the conversation's first message). When the
 * conversation as `read` kept a later first wait (`firstWaitFrom`) and had no first response, the
 * first wait moves back with it.
 */
export function earlierWaitInput(
  table: string,
  touch: { conversationId: string; at: string; arrivedAt?: string | undefined },
  read?: Record<string, unknown>,
): UpdateCommandInput {
  const firstWait = movesFirstWait(read, touch.at);
  const values: Record<string, unknown> = {
    ':at': touch.at,
    ':open': 'open',
    ':inboxSk': inboxSortKey(touch.at, touch.conversationId),
  };
  const conditions = [
    '#status = :open AND waitingSince > :at AND (attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :at)',
    ...notBeforeConversation(touch, values),
  ];
  return {
    TableName: table,
    Key: Keys.conversation(touch.conversationId),
    UpdateExpression: `SET waitingSince = :at, gsi1sk = :inboxSk${firstWait ? ', firstWaitFrom = :at' : ''}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
  };
}

/**
 * One partition of the inbox (a shard, or by default the partition written before sharding):
 * conversations of one status, longest waiting first, after the sort key `after` when given.
 */
export function queryInboxInput(
  table: string,
  filter: InboxFilter,
  page: {
    limit: number;
    startKey?: Record<string, unknown> | undefined;
    partition?: string | undefined;
    after?: string | undefined;
    /** `gsi2`: the deadline index (soonest due first) instead of the waiting order. */
    index?: QueriedIndex | undefined;
  },
): QueryCommandInput {
  const index = page.index ?? LIST_INDEX;
  const keys = INDEX_KEYS[index];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': page.partition ?? inboxPartition(filter.status) };
  if (page.after !== undefined) values[':after'] = page.after;
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
  if (filter.queues?.length) {
    names['#queue'] = 'queue';
    const each = filter.queues.map((queue, i) => {
      values[`:queue${i}`] = queue;
      return `:queue${i}`;
    });
    filters.push(`#queue IN (${each.join(', ')})`);
  }
  if (filter.channel) {
    // Any channel the customer wrote on in the conversation.
    values[':channel'] = filter.channel;
    filters.push('contains(channels, :channel)');
  }
  return {
    TableName: table,
    IndexName: index,
    KeyConditionExpression:
      page.after !== undefined ? `${keys.pk} = :pk AND ${keys.sk} > :after` : `${keys.pk} = :pk`,
    ExpressionAttributeValues: values,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
    ScanIndexForward: true,
    Limit: page.limit,
    ...(page.startKey ? { ExclusiveStartKey: page.startKey } : {}),
  };
}

/**
 * Resolves an open conversation: out of the open inbox, into the resolved one, its wait over. Resolved
 * already (a second click, a race, a retry after a crash), it fails its condition and keeps the first
 * resolve's time and author, which a retry completes from (`changeStatus`).
 */
export function resolveConversationInput(
  table: string,
  conversationId: string,
  now: string,
  agentId: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression:
      // Ends the episode: the routing state of the next one starts empty, with what comes after now.
      // `openedFrom`: where the episode ended began at the latest (the resolve before it, else the
      // conversation's start), read before `episodeFrom` moves: an answer after it answered this one.
      `SET #status = :resolved, resolvedAt = :now, resolvedBy = :agent, gsi1pk = :inbox, gsi1sk = :inboxSk, gsi2pk = :inboxDue, openedFrom = if_not_exists(episodeFrom, createdAt), episodeFrom = :now REMOVE waitingSince, missedCallAt, answeredSk, reopenedAt, reopenedBy, snoozedUntil, ${EPISODE_STATE_ATTRIBUTES.join(', ')}`,
    ConditionExpression: '#status = :open',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':open': 'open',
      ':resolved': 'resolved',
      ':now': now,
      ':agent': agentId,
      ':inbox': inboxShardPartition('resolved', conversationId),
      ':inboxSk': inboxSortKey(now, conversationId),
      ':inboxDue': inboxDueShardPartition('resolved', conversationId),
    },
  };
}

/**
 * The profile lets go of a resolved conversation (only if it is still the open one), so the next
 * message within the reopen window finds it as the last one.
 */
export function releaseOpenConversationInput(
  table: string,
  customerId: string,
  conversationId: string,
  now: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'REMOVE openConversationId SET lastConversationId = :id, lastResolvedAt = :now',
    ConditionExpression: 'openConversationId = :id',
    ExpressionAttributeValues: { ':id': conversationId, ':now': now },
  };
}

/**
 * Reopens a resolved conversation by hand (`by`): back in the open inbox, waiting from now, with when
 * and by whom (`reopenedAt`, `reopenedBy`, until the next resolve), which a retry completes from; the
 * customer's turns (routing's AI answer limit) count again from none. Open
 * already (a second click, a race, a retry after a crash), it fails its condition.
 */
export function reopenConversationInput(
  table: string,
  conversationId: string,
  now: string,
  by: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET #status = :open, gsi1pk = :inbox, gsi1sk = :inboxSk, gsi2pk = :inboxDue, waitingSince = :now, reopenedAt = :now, reopenedBy = :by REMOVE resolvedAt, resolvedBy, answeredSk, ${REOPEN_REMOVES.join(', ')}, ${CUSTOMER_TURNS_ATTRIBUTE}`,
    ConditionExpression: '#status = :resolved',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':open': 'open',
      ':resolved': 'resolved',
      ':inbox': inboxShardPartition('open', conversationId),
      ':inboxSk': inboxSortKey(now, conversationId),
      ':inboxDue': inboxDueShardPartition('open', conversationId),
      ':now': now,
      ':by': by,
    },
  };
}

/** Points the profile at a reopened conversation, unless another one is open meanwhile. */
export function holdOpenConversationInput(
  table: string,
  customerId: string,
  conversationId: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'SET openConversationId = :id',
    ConditionExpression: 'attribute_not_exists(openConversationId)',
    ExpressionAttributeValues: { ':id': conversationId },
  };
}

/** Who a conversation is assigned to: an agent (`''` unassigns) and/or a queue; unset fields stay. */
export interface AssignTarget {
  agentId?: string | undefined;
  queue?: string | undefined;
}

/**
 * Assigns (or transfers) an existing conversation to an agent and/or a queue; `ifUnassigned` only
 * while it is open and nobody has it, so two agents taking the next conversation never get the same;
 * `ifAssignee` only while that agent (`''`: nobody) has it, so an assignment made on a stale view
 * takes nothing from an agent who took it meanwhile;
 * `routedFor` (routing's hand-off of one item, `<at>#<item id>`) only when no routing of that item or of
 * a later one assigned it before, and records it (`routedFor`): two deliveries of one message racing,
 * or one after a crash, assign once, and a late one never undoes a newer message's assignment.
 */
export function assignConversationInput(
  table: string,
  conversationId: string,
  target: AssignTarget,
  options: {
    ifUnassigned?: boolean | undefined;
    ifAssignee?: string | undefined;
    routedFor?: string | undefined;
    /** When the assignment is made: kept as `assignedAt`, the time of its `conversation.assigned`. */
    at?: string | undefined;
  } = {},
): UpdateCommandInput {
  const sets: string[] = [];
  const removes: string[] = [];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  if (options.ifUnassigned) {
    names['#status'] = 'status';
    values[':open'] = 'open';
  }
  if (target.agentId !== undefined) {
    if (target.agentId === '') removes.push('assignee');
    else {
      sets.push('assignee = :agent');
      values[':agent'] = target.agentId;
      // Listed before the agent's open conversations get it (see syncAgentLoad).
      names['#loadAgents'] = CONVERSATION_LOAD_ATTRIBUTE;
      values[':loadAgent'] = new Set([target.agentId]);
    }
  }
  if (target.queue !== undefined) {
    names['#queue'] = 'queue';
    sets.push('#queue = :queue');
    values[':queue'] = target.queue;
  }
  if (options.at !== undefined) {
    sets.push('assignedAt = :assignedAt');
    values[':assignedAt'] = options.at;
  }
  const conditions = ['attribute_exists(pk)'];
  if (options.ifUnassigned) conditions.push('#status = :open AND attribute_not_exists(assignee)');
  if (options.ifAssignee === '') conditions.push('attribute_not_exists(assignee)');
  else if (options.ifAssignee !== undefined) {
    conditions.push('assignee = :was');
    values[':was'] = options.ifAssignee;
  }
  if (options.routedFor !== undefined) {
    sets.push('routedFor = :routedFor');
    values[':routedFor'] = options.routedFor;
    conditions.push('(attribute_not_exists(routedFor) OR routedFor < :routedFor)');
  }
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
      names['#loadAgents'] ? 'ADD #loadAgents :loadAgent' : '',
    ]
      .filter(Boolean)
      .join(' '),
    ConditionExpression: conditions.join(' AND '),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

/**
 * Claims a survey's one score on its conversation (`csatAnswer_<survey id>`: the answer's source) while
 * no other answer holds it: the same answer again (a redelivery, a retry after a crash) passes, another
 * fails. On the conversation, not a customer's partition, so an unmerge that leaves the survey pending
 * on two customers still gets one score. Never creates a conversation.
 */
export function claimCsatAnswerInput(
  table: string,
  claim: { conversationId: string; surveyId: string; source: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(claim.conversationId),
    UpdateExpression: 'SET #claim = :source',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#claim) OR #claim = :source)',
    ExpressionAttributeNames: { '#claim': `csatAnswer_${claim.surveyId}` },
    ExpressionAttributeValues: { ':source': claim.source },
  };
}
