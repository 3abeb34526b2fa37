import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../domain/envelope.js';
import { Keys } from '../keys.js';

/** An inbound event's customer, channel and time, as the profile's last-inbound writes take it. */
type InboundTouch = { customerId: string; channel: Channel; at: string };

/** A conditional write of the profile that sets its channel's time (`#channelInbound`) and what `set` adds. */
function profileInboundInput(touch: InboundTouch, write: { set: string; condition: string }) {
  return {
    Key: Keys.customer(touch.customerId),
    UpdateExpression: `SET ${write.set}#channelInbound = :at`,
    ConditionExpression: `attribute_exists(pk) AND ${write.condition}`,
    ExpressionAttributeNames: { '#channelInbound': `lastInbound_${touch.channel}` },
  };
}

/**
 * An inbound event older than the profile's last one still counts for its channel's reply window:
 * moves `lastInbound_<channel>` forward to it if it is later than the value there.
 */
export function advanceChannelInboundInput(table: string, touch: InboundTouch): UpdateCommandInput {
  const condition = '(attribute_not_exists(#channelInbound) OR #channelInbound < :at)';
  return {
    TableName: table,
    ...profileInboundInput(touch, { set: '', condition }),
    ExpressionAttributeValues: { ':at': touch.at },
  };
}

/**
 * An inbound event older than the profile's last one that is its conversation's latest inbound message
 * (an answer or a resolve came after it, and it was applied late): the profile's last inbound and its
 * channel's time move to it, if later than those there (forward only: never back to an older message).
 */
export function laterProfileInboundInput(table: string, touch: InboundTouch): UpdateCommandInput {
  const condition =
    '(attribute_not_exists(lastInboundAt) OR lastInboundAt < :at) AND (attribute_not_exists(#channelInbound) OR #channelInbound <= :at)';
  return {
    TableName: table,
    ...profileInboundInput(touch, { set: 'lastInboundAt = :at, lastInboundChannel = :channel, ', condition }),
    ExpressionAttributeValues: { ':at': touch.at, ':channel': touch.channel },
  };
}

/**
 * An inbound event of a whole second that reached us after the profile's last inbound message, timed
 * later in that second on another channel (`overtakesInSameSecond`): the last inbound channel and its
 * channel's time move to it, the last inbound time stays (the later one), so replies naming no channel
 * go where the customer wrote last. Only while the last inbound is still that message's.
 */
export function sameSecondInboundInput(table: string, touch: InboundTouch, last: string): UpdateCommandInput {
  const condition =
    'lastInboundAt = :last AND lastInboundChannel <> :channel AND (attribute_not_exists(#channelInbound) OR #channelInbound < :at)';
  return {
    TableName: table,
    ...profileInboundInput(touch, { set: 'lastInboundChannel = :channel, ', condition }),
    ExpressionAttributeValues: { ':at': touch.at, ':channel': touch.channel, ':last': last },
  };
}
