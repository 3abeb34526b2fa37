import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { type Channel, ChannelSchema } from '../../domain/envelope.js';
import type { Escalation } from '../../domain/router-ports.js';
import { type ConversationState, ConversationStateSchema } from '../../domain/routing/conversation-state.js';
import { TimelineItemSchema } from '../../domain/timeline.js';
import { Keys, TIMELINE_END, TIMELINE_PREFIX } from '../keys.js';
import { COUNT_OWED } from './response-owed.js';

/**
 * The attribute of the conversation that holds the first inbound time on a channel in the current
 * episode (one flat attribute per channel: an `if_not_exists` on it needs no map to exist first).
 */
export const inboundSinceAttribute = (channel: Channel): string => `inboundSince_${channel}`;

/**
 * The count of the customer's turns since the conversation (re)opened or an agent replied (routing's
 * AI answer limit): a number, so it stays the same size however long the conversation runs.
 */
export const CUSTOMER_TURNS_ATTRIBUTE = 'customerTurns';

/** The conversation-state attributes that belong to one episode; resolving the conversation removes them. */
export const EPISODE_STATE_ATTRIBUTES: readonly string[] = [
  ...ChannelSchema.options.map(inboundSinceAttribute),
  'humanRepliedAt',
  'escalatedAt',
  'escalatedItemId',
  'escalatedMediaAt',
  'escalatedQueue',
  CUSTOMER_TURNS_ATTRIBUTE,
];

/**
 * What a touch does to the customer's turns: one more for a message routing takes (`countsTurn`, set
 * by the delivery that wrote it only), and a message that reopens the conversation starts the count
 * again (at one, or none for a redelivery). Late or current, the turn counts: messages that overtake
 * each other still each count once.
 */
export function turnTouch(touch: { countsTurn?: boolean | undefined; reopen: boolean }): {
  sets: string[];
  adds: string[];
  removes: string[];
  values: Record<string, number>;
} {
  const values: Record<string, number> = touch.countsTurn ? { ':one': 1 } : {};
  if (touch.reopen) {
    return touch.countsTurn
      ? { sets: [`${CUSTOMER_TURNS_ATTRIBUTE} = :one`], adds: [], removes: [], values }
      : { sets: [], adds: [], removes: [CUSTOMER_TURNS_ATTRIBUTE], values };
  }
  return {
    sets: [],
    adds: touch.countsTurn ? [`${CUSTOMER_TURNS_ATTRIBUTE} :one`] : [],
    removes: [],
    values,
  };
}

/**
 * What a current (not stale) touch adds to the routing state: an inbound message records the first
 * time the customer wrote on its channel in this episode (`:at` is the message's time).
 */
export function episodeTouch(touch: { inbound: boolean; channel: Channel }): {
  sets: string[];
  names: Record<string, string>;
} {
  if (!touch.inbound) return { sets: [], names: {} };
  return {
    sets: ['#since = if_not_exists(#since, :at)'],
    names: { '#since': inboundSinceAttribute(touch.channel) },
  };
}

/**
 * What a message older than the conversation's last one must be to move its beginnings back (the wait,
 * the preview, a channel's first message): not from before the conversation, timed before it began
 * (`createdAt`) yet come to our webhook after that (`arrivedAt`: a WhatsApp retry days later, a replay
 * of old history). One that came before the conversation began was on its way (messages crossing, a
 * delivery that crashed) and still moves them. Its condition, with `:at` the message's time; none
 * without `arrivedAt`.
 */
export function notBeforeConversation(
  touch: { arrivedAt?: string | undefined },
  values: Record<string, unknown>,
): string[] {
  if (touch.arrivedAt === undefined) return [];
  values[':arrived'] = touch.arrivedAt;
  return ['(attribute_not_exists(createdAt) OR createdAt <= :at OR createdAt > :arrived)'];
}

/**
 * An inbound message older than the conversation's last one (it arrived late, or came back after a
 * crash) may still be the first on its channel in this episode: moves the channel's time back to it,
 * unless it is older than the episode (the conversation's last resolution) or from before the
 * conversation (`notBeforeConversation`). So the state is the same whatever order the messages arrive in.
 */
export function earlierInboundSinceInput(
  table: string,
  touch: { conversationId: string; channel: Channel; at: string; arrivedAt?: string | undefined },
): UpdateCommandInput {
  const values: Record<string, unknown> = { ':at': touch.at };
  const conditions = [
    'attribute_exists(pk) AND (attribute_not_exists(#since) OR #since > :at) AND (attribute_not_exists(episodeFrom) OR episodeFrom < :at)',
    ...notBeforeConversation(touch, values),
  ];
  return {
    TableName: table,
    Key: Keys.conversation(touch.conversationId),
    UpdateExpression: 'SET #since = :at',
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: { '#since': inboundSinceAttribute(touch.channel) },
    ExpressionAttributeValues: values,
  };
}

/** The routing state kept on a conversation item (flat attributes), parsed. */
export function conversationStateOf(item: Record<string, unknown>): ConversationState {
  const inboundSince: Partial<Record<Channel, unknown>> = {};
  for (const channel of ChannelSchema.options) {
    const since = item[inboundSinceAttribute(channel)];
    if (since !== undefined) inboundSince[channel] = since;
  }
  return ConversationStateSchema.parse({
    stateFrom: item.stateFrom,
    createdAt: item.createdAt,
    inboundSince,
    humanRepliedAt: item.humanRepliedAt,
    escalatedAt: item.escalatedAt,
    escalatedItemId: item.escalatedItemId,
    escalatedMediaAt: item.escalatedMediaAt,
    escalatedQueue: item.escalatedQueue,
    // A mark still owing its count (a crash stopped it) reads as none: the next reply settles it.
    firstResponseAt: item[COUNT_OWED] === undefined ? item.firstResponseAt : undefined,
    customerTurns: item[CUSTOMER_TURNS_ATTRIBUTE],
  });
}

/**
 * Records an agent's first reply in the conversation's episode (a later one changes nothing), and
 * starts the customer's turns again: the AI's answers in a row count from a person's answer. With
 * `agentId` (a reply from the console), the same write names them as the last person who answered
 * (`humanAnswerBy`, which the metrics credit; a reopen clears it).
 */
export function markHumanRepliedInput(
  table: string,
  conversationId: string,
  at: string,
  agentId?: string,
): UpdateCommandInput {
  const by = agentId ? ', humanAnswerBy = :by' : '';
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET humanRepliedAt = if_not_exists(humanRepliedAt, :at)${by} REMOVE ${CUSTOMER_TURNS_ATTRIBUTE}`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':at': at, ...(agentId ? { ':by': agentId } : {}) },
  };
}

/**
 * Hands the conversation to a person for an item: only while its escalation is still the one routing
 * read (`seen`: none, or the earlier item a `queue_removed` hand-off routes anew), or is this item's
 * already (a redelivery, or two deliveries at once). So of messages routed at once, one hands off and
 * the others' writes fail: the conversation was handed off meanwhile. The episode's first escalation
 * time is kept; the queue is the hand-off's, for later decisions to name before its assignment lands.
 */
export function markEscalatedInput(
  table: string,
  conversationId: string,
  escalation: Escalation,
): UpdateCommandInput {
  const held =
    escalation.seen === undefined ? 'attribute_not_exists(escalatedItemId)' : 'escalatedItemId = :seen';
  // The item's time when it has no text (a photo), so a question sent with it is still answered; a hand-off
  // anew for a message with text drops the earlier one's (none is there before the episode's first).
  const media =
    escalation.mediaAt !== undefined
      ? ', escalatedMediaAt = :media'
      : escalation.seen === undefined
        ? ''
        : ' REMOVE escalatedMediaAt';
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET escalatedAt = if_not_exists(escalatedAt, :at), escalatedItemId = :item, escalatedQueue = :queue${media}`,
    ConditionExpression: `attribute_exists(pk) AND (${held} OR escalatedItemId = :item)`,
    ExpressionAttributeValues: {
      ':at': escalation.at,
      ':item': escalation.itemId,
      ':queue': escalation.queue,
      ...(escalation.seen === undefined ? {} : { ':seen': escalation.seen }),
      ...(escalation.mediaAt === undefined ? {} : { ':media': escalation.mediaAt }),
    },
  };
}

/**
 * Every field of a timeline item as it is read, and its `arrival` (its order among the items of its
 * time); `raw` (the provider payload) is not one of them.
 */
const TIMELINE_FIELDS = [...Object.keys(TimelineItemSchema.shape), 'arrival'];

/**
 * The customer's most recent timeline items in one partition, newest first: one bounded query
 * (`Limit`), projected to the timeline item's fields so raw payloads never travel.
 */
export function queryRecentTimelineInput(
  table: string,
  customerId: string,
  limit: number,
): QueryCommandInput {
  const names = Object.fromEntries(TIMELINE_FIELDS.map((field, i) => [`#f${i}`, field]));
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': Keys.customer(customerId).pk,
      ':from': TIMELINE_PREFIX,
      ':to': TIMELINE_END,
    },
    ProjectionExpression: ['sk', ...Object.keys(names)].join(', '),
    ExpressionAttributeNames: names,
    ScanIndexForward: false,
    Limit: limit,
  };
}
