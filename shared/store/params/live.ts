import type {
  DeleteCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DurableEvent } from '../../domain/live/events.js';
import { LIVE_RETENTION_MS } from '../../domain/live/events.js';
import type { LiveConnection } from '../../domain/live/live-ports.js';
import { msOfSeq, SEQ_PER_MS, seqAt } from '../../domain/live/seq.js';
import {
  LIVE_SHARDS,
  liveConnectionKey,
  liveConnectionPartition,
  liveEventPartition,
  liveEventSortKey,
  liveHour,
  liveOfCustomerPartition,
  shardOf,
} from '../keys.js';

/** How long a socket's item outlives its connect: API Gateway closes a socket after 2 hours. */
export const LIVE_CONNECTION_TTL_S = 3 * 3600;

/**
 * How far a log item may reach: at most 50 events, 16 KB of JSON, and 100 ms of `seq` from its first
 * event to its last. The span lets a reader that stops inside a shard know which events it has all
 * of (`LIVE_PACK.spanSeq` below the last item it read).
 */
export const LIVE_PACK = { events: 50, bytes: 16_000, spanSeq: 100 * SEQ_PER_MS } as const;

/**
 * A batch's events, numbered in order, as the log items they make: consecutive events packed while
 * they share an hour and stay within `LIVE_PACK`. Each event alone is about 300 bytes, billed a whole
 * write unit; packed, a busy stream's batch pays about one unit per kilobyte.
 */
export function liveEventPacks(events: readonly DurableEvent[]): DurableEvent[][] {
  const packs: DurableEvent[][] = [];
  let pack: DurableEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = JSON.stringify(event).length + 1;
    const first = pack[0];
    const fits =
      first !== undefined &&
      pack.length < LIVE_PACK.events &&
      bytes + size <= LIVE_PACK.bytes &&
      event.seq - first.seq <= LIVE_PACK.spanSeq &&
      liveHour(msOfSeq(event.seq)) === liveHour(msOfSeq(first.seq));
    if (!fits && pack.length > 0) {
      packs.push(pack);
      pack = [];
      bytes = 0;
    }
    pack.push(event);
    bytes += size;
  }
  if (pack.length > 0) packs.push(pack);
  return packs;
}

/**
 * One pack of events as one item: its keys (the shard its first event's id picks, sorted by its last
 * event, so a query from a `seq` finds every item holding a later one), the events as one JSON string
 * (what a catch-up answers, no attribute names to pay for) and its `ttl`.
 */
export function putLiveEventsInput(table: string, pack: readonly DurableEvent[]): PutCommandInput {
  const [first, last] = [pack[0], pack.at(-1)];
  if (!first || !last) throw new Error('an empty pack of live events');
  const ms = msOfSeq(last.seq);
  return {
    TableName: table,
    Item: {
      pk: liveEventPartition(liveHour(ms), shardOf(first.id, LIVE_SHARDS)),
      sk: liveEventSortKey(last.seq, last.id),
      entity: 'live_event',
      events: JSON.stringify(pack),
      ttl: Math.ceil((ms + LIVE_RETENTION_MS) / 1000),
    },
  };
}

/**
 * The customers whose data an event carries: its own, and for a merge suggestion the other customer,
 * whose identities its evidence may name. An `erased` event names nobody's data: it is not noted.
 */
export function customersOfLiveEvent(event: {
  customerId?: unknown;
  type?: unknown;
  item?: unknown;
}): string[] {
  const item = (event.item ?? {}) as { change?: unknown; suggestion?: { otherId?: unknown } };
  if (event.type === 'customer.updated' && item.change === 'erased') return [];
  const ids = [event.customerId, item.suggestion?.otherId];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

/**
 * For each customer a pack holds events of, a note under that customer of where the pack is, with the
 * pack's `ttl`: what lets an erasure find the customer's events without reading the log.
 */
export function putLiveNotesInput(table: string, pack: PutCommandInput): PutCommandInput[] {
  const item = pack.Item as { pk: string; sk: string; events: string; ttl: number };
  const events = JSON.parse(item.events) as Array<Parameters<typeof customersOfLiveEvent>[0]>;
  const customers = new Set(events.flatMap(customersOfLiveEvent));
  return [...customers].map((customerId) => ({
    TableName: table,
    Item: {
      pk: liveOfCustomerPartition(customerId),
      sk: `${item.pk}|${item.sk}`,
      entity: 'live_note',
      packPk: item.pk,
      packSk: item.sk,
      ttl: item.ttl,
    },
  }));
}

/** The sort key of every note of a pack under a customer: the pack's partition first (`LIVE#<hour>#<shard>`). */
const PACK_NOTE = 'LIVE#';

/** A page of the notes of where a customer's live events are (an erasure deletes each it went through). */
export function queryLiveNotesInput(table: string, customerId: string, limit: number): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': liveOfCustomerPartition(customerId), ':prefix': PACK_NOTE },
    ConsistentRead: true,
    Limit: limit,
  };
}

/**
 * The notes under a customer of the packs written from `fromMs` to `toMs` (by the hour of their
 * partition: the packs of those hours), a page from `startKey` on; read, never deleted (they are the
 * customer's own, for their own erasure).
 */
export function queryLiveNotesWithinInput(
  table: string,
  customerId: string,
  window: { fromMs: number; toMs: number },
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': liveOfCustomerPartition(customerId),
      ':from': `${PACK_NOTE}${liveHour(window.fromMs)}#`,
      ':to': `${PACK_NOTE}${liveHour(window.toMs)}#~`,
    },
    ConsistentRead: true,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** The sort key of the window notes under an unmerged customer (see `putMergedWindowInput`). */
const WINDOW_NOTE = 'MERGED#';

/**
 * An unmerge's note under the customer it gives back (`sourceId`): while merged, the live log wrote
 * what came through them under the kept customer's id (`targetId`), its events of that time (their
 * messages, the kept profile showing their identities and number). Their erasure takes the kept
 * customer's events from `fromSeq` (the merge) to `toSeq` out of the log too (see `forgetMergedWindows`).
 * Written at the unmerge's first call, open (no `toSeq`, no `ttl`); its last call closes it.
 */
export function putMergedWindowInput(
  table: string,
  pair: { sourceId: string; targetId: string },
  mergedAt: string,
): PutCommandInput {
  return {
    TableName: table,
    Item: {
      pk: liveOfCustomerPartition(pair.sourceId),
      sk: `${WINDOW_NOTE}${pair.targetId}#${mergedAt}`,
      entity: 'live_window',
      customerId: pair.targetId,
      fromSeq: seqAt(Date.parse(mergedAt)),
    },
  };
}

/**
 * Closes an unmerge's open window note (`key`) at `toMs`: the last call's time with the change
 * feed's lag, after which nothing of the source's is written under the target. Kept as long as the
 * log keeps those events (`ttl`). Conditional on the note being open: a retry changes nothing.
 */
export function closeMergedWindowInput(
  table: string,
  key: { pk: string; sk: string },
  toMs: number,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: key,
    UpdateExpression: 'SET toSeq = :to, #ttl = :ttl',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(toSeq)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: {
      ':to': seqAt(toMs),
      ':ttl': Math.ceil((toMs + LIVE_RETENTION_MS) / 1000),
    },
  };
}

/** The window notes under a customer (a handful: one per merge into another that was undone). */
export function queryMergedWindowsInput(table: string, customerId: string): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': liveOfCustomerPartition(customerId), ':prefix': WINDOW_NOTE },
    ConsistentRead: true,
  };
}

/**
 * A pack rewritten without an erased customer's events, only if no one rewrote it since it was read
 * (two erasures at once may rewrite the same pack: the later one reads it again).
 */
export function rewriteLivePackInput(
  table: string,
  key: { pk: string; sk: string },
  before: string,
  events: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: key,
    UpdateExpression: 'SET events = :events',
    ConditionExpression: 'events = :before',
    ExpressionAttributeValues: { ':events': events, ':before': before },
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
    // `event`: one event, as the log wrote it before it packed them.
    ProjectionExpression: 'pk, sk, events, event',
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
      ...(connection.expiresAt !== undefined ? { expiresAt: connection.expiresAt } : {}),
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
    ProjectionExpression: 'connectionId, agentId, viewing, expiresAt',
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}
