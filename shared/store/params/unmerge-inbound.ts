import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../domain/envelope.js';
import type { KeptInbound } from '../../domain/merges.js';
import { Keys, TIMELINE_PREFIX } from '../keys.js';
import { queryLastInboundInput } from './timeline.js';

/**
 * Unmerge: the target's profile loses what the source's messages wrote on it while merged (see
 * `keptInbound`): channels only the source holds, their `lastInbound_<channel>`, a shared channel's time
 * put back to the target's own, the last inbound channel and time. One write, only while every time it
 * changes is still what was read (a message the target sent since wrote its own: the unmerge reads again).
 */
export function keepInboundInput(table: string, targetId: string, kept: KeptInbound): UpdateCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const conditions = ['attribute_exists(pk)'];
  Object.entries(kept.channelTimes).forEach(([channel, at], i) => {
    names[`#t${i}`] = `lastInbound_${channel}`;
    values[`:w${i}`] = kept.was.times[channel];
    conditions.push(`#t${i} = :w${i}`);
    if (at === null) removes.push(`#t${i}`);
    else {
      values[`:t${i}`] = at;
      sets.push(`#t${i} = :t${i}`);
    }
  });
  if (kept.last) {
    const { channel, at } = kept.last;
    if (channel === null) removes.push('lastInboundChannel');
    else {
      values[':channel'] = channel;
      sets.push('lastInboundChannel = :channel');
    }
    if (at === null) removes.push('lastInboundAt');
    else {
      values[':at'] = at;
      sets.push('lastInboundAt = :at');
    }
    if (kept.was.lastInboundAt === undefined) conditions.push('attribute_not_exists(lastInboundAt)');
    else {
      values[':wasAt'] = kept.was.lastInboundAt;
      conditions.push('lastInboundAt = :wasAt');
    }
  }
  const clauses = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
    kept.dropChannels.length ? 'DELETE channels :drop' : '',
  ];
  if (kept.dropChannels.length) values[':drop'] = new Set(kept.dropChannels);
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: clauses.filter(Boolean).join(' '),
    ConditionExpression: conditions.join(' AND '),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
}

/**
 * The target's latest inbound message on a channel, once the source's left its partition (strongly
 * consistent, newest first, within the latest-inbound lookback): its own last-inbound time there.
 */
export function queryOwnLastInboundInput(
  table: string,
  targetId: string,
  channel: Channel,
): QueryCommandInput {
  return { ...queryLastInboundInput(table, targetId, channel), ConsistentRead: true };
}

/** How many items of one millisecond `queryInboundAtInput` reads at most (a webhook body's few events). */
export const INBOUND_AT_READ = 25;

/**
 * The target's inbound messages on a channel at exactly `at` (strongly consistent, once the source's
 * items left its partition): whether the last-inbound time its profile holds there is its own message's
 * rather than the source's. The items of one millisecond, at most INBOUND_AT_READ read.
 */
export function queryInboundAtInput(
  table: string,
  targetId: string,
  channel: Channel,
  at: string,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: 'channel = :channel AND direction = :inbound',
    ExpressionAttributeValues: {
      ':pk': Keys.customer(targetId).pk,
      ':prefix': `${TIMELINE_PREFIX}${at}#`,
      ':channel': channel,
      ':inbound': 'inbound',
    },
    ConsistentRead: true,
    Limit: INBOUND_AT_READ,
  };
}
