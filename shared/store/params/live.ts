import type {
  DeleteCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DurableEvent } from '../../domain/live/events.js';
import { LIVE_RETENTION_MS } from '../../domain/live/events.js';
import type { LiveConnection } from '../../domain/live/live-ports.js';
import { msOfSeq } from '../../domain/live/seq.js';
import {
  LIVE_SHARDS,
  liveConnectionKey,
  liveConnectionPartition,
  liveEventPartition,
  liveEventSortKey,
  liveHour,
  shardOf,
} from '../keys.js';

/** How long a socket's item outlives its connect: API Gateway closes a socket after 2 hours. */
export const LIVE_CONNECTION_TTL_S = 3 * 3600;

/**
 * One live event as one small item: its keys, the event as one JSON string (what a catch-up answers,
 * no attribute names to pay for) and its `ttl`, in the shard its customer picks of its hour.
 */
export function putLiveEventInput(table: string, event: DurableEvent): PutCommandInput {
  const ms = msOfSeq(event.seq);
  return {
    TableName: table,
    Item: {
      pk: liveEventPartition(liveHour(ms), shardOf(event.customerId, LIVE_SHARDS)),
      sk: liveEventSortKey(event.seq, event.id),
      entity: 'live_event',
      event: JSON.stringify(event),
      ttl: Math.ceil((ms + LIVE_RETENTION_MS) / 1000),
    },
  };
}

/** One shard of one hour's events with `seq` above `after`, oldest first, at most `limit`. */
export function queryLiveEventsInput(
  table: string,
  hour: string,
  shard: number,
  after: number,
  limit: number,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk >= :from',
    ExpressionAttributeValues: {
      ':pk': liveEventPartition(hour, shard),
      ':from': liveEventSortKey(after + 1, ''),
    },
    ProjectionExpression: 'event',
    Limit: limit,
  };
}

/** A socket opened: its agent, when, and its `ttl`. */
export function putLiveConnectionInput(
  table: string,
  connection: LiveConnection,
  nowMs: number,
): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...liveConnectionKey(connection.connectionId),
      entity: 'live_connection',
      connectionId: connection.connectionId,
      agentId: connection.agentId,
      connectedAt: new Date(nowMs).toISOString(),
      ttl: Math.ceil(nowMs / 1000) + LIVE_CONNECTION_TTL_S,
    },
  };
}

/** A socket closed: answers its item, so the caller knows what it viewed (or that it was gone already). */
export function deleteLiveConnectionInput(table: string, connectionId: string): DeleteCommandInput {
  return { TableName: table, Key: liveConnectionKey(connectionId), ReturnValues: 'ALL_OLD' };
}

/** What a still-open socket views (`undefined` clears it). */
export function setLiveViewingInput(
  table: string,
  connectionId: string,
  conversationId: string | undefined,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: liveConnectionKey(connectionId),
    ConditionExpression: 'attribute_exists(pk)',
    UpdateExpression: conversationId ? 'SET viewing = :viewing' : 'REMOVE viewing',
    ...(conversationId ? { ExpressionAttributeValues: { ':viewing': conversationId } } : {}),
    ReturnValues: 'ALL_NEW',
  };
}

/** One shard of the open sockets. */
export function queryLiveConnectionsInput(
  table: string,
  shard: number,
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': liveConnectionPartition(shard) },
    ProjectionExpression: 'connectionId, agentId, viewing',
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}
