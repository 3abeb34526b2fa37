import * as z from 'zod';
import { type DurableEvent, DurableEventSchema } from '../domain/live/events.js';
import type { LiveConnection, LiveConnections, LiveEventLog } from '../domain/live/live-ports.js';
import { msOfSeq } from '../domain/live/seq.js';
import { type DynamoDb, getItem, putItem, sendDynamo, updateItemReturningIf } from './dynamo-client.js';
import { LIVE_CONNECTION_SHARDS, LIVE_SHARDS, liveConnectionKey, liveHour } from './keys.js';
import { queryAll, queryPage } from './paging.js';
import {
  deleteLiveConnectionInput,
  LIVE_PACK,
  liveEventPacks,
  putLiveConnectionInput,
  putLiveEventsInput,
  putLiveNotesInput,
  queryLiveConnectionsInput,
  queryLiveEventsInput,
  setLiveViewingInput,
} from './params/live.js';

const HOUR_MS = 3_600_000;
const StoredEventsSchema = z.union([z.object({ events: z.string() }), z.object({ event: z.string() })]);
const ConnectionItemSchema = z.object({
  connectionId: z.string(),
  agentId: z.string(),
  viewing: z.string().optional(),
  expiresAt: z.number().optional(),
});

/** The events of one log item: a pack, or one event as the log wrote them before packing. */
function eventsOf(item: Record<string, unknown>): DurableEvent[] {
  const stored = StoredEventsSchema.parse(item);
  if ('events' in stored) return z.array(DurableEventSchema).parse(JSON.parse(stored.events));
  return [DurableEventSchema.parse(JSON.parse(stored.event))];
}

/**
 * One shard's events above `after`. A shard with more items than read is complete only up to the
 * pack span below its last item's last event (`bound`): an item not read yet ends later, so starts no
 * earlier than that. It reads on until it has an event within its bound, so every page moves forward.
 */
async function readShard(db: DynamoDb, hour: string, shard: number, after: number, limit: number) {
  const events: DurableEvent[] = [];
  let input = queryLiveEventsInput(db.table, hour, shard, after, limit);
  for (;;) {
    const { items, next } = await queryPage(db, input, limit);
    const read = items.flatMap(eventsOf);
    events.push(...read.filter((event) => event.seq > after));
    if (!next) return { events, bound: Number.POSITIVE_INFINITY };
    const bound = read.reduce((max, event) => Math.max(max, event.seq), 0) - LIVE_PACK.spanSeq - 1;
    if (events.some((event) => event.seq <= bound)) return { events, bound };
    input = { ...input, ExclusiveStartKey: next };
  }
}

/**
 * One hour's events above `after`, every shard asked for `limit` items and merged by `seq`. What is
 * answered stops at the lowest bound of a shard that had more, so nothing of another shard is skipped.
 */
async function readHour(db: DynamoDb, hour: string, after: number, limit: number) {
  const shards = await Promise.all(
    Array.from({ length: LIVE_SHARDS }, (_, shard) => readShard(db, hour, shard, after, limit)),
  );
  const bound = Math.min(...shards.map((s) => s.bound));
  const events = shards.flatMap((s) => s.events);
  events.sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { events: events.filter((e) => e.seq <= bound), cut: bound !== Number.POSITIVE_INFINITY };
}

/** A page of at most `limit`, whose end never splits events that share a `seq`. */
function pageOf(
  events: DurableEvent[],
  limit: number,
  cut: boolean,
): { events: DurableEvent[]; more: boolean } {
  if (events.length <= limit) return { events, more: cut };
  const next = events[limit]?.seq;
  let end = limit;
  while (end > 0 && events[end - 1]?.seq === next) end -= 1;
  return { events: events.slice(0, end > 0 ? end : limit), more: true };
}

/** The live event log over the table: a batch's events packed into few items, sharded, bucketed by hour. */
export function liveEventRepository(db: DynamoDb): LiveEventLog {
  return {
    async append(events) {
      const packs = liveEventPacks(events).map((pack) => putLiveEventsInput(db.table, pack));
      // The notes first: a pack is never kept without them, so an erasure finds every pack it must.
      await Promise.all(
        packs.flatMap((pack) => putLiveNotesInput(db.table, pack)).map((n) => putItem(db, n)),
      );
      await Promise.all(packs.map((pack) => putItem(db, pack)));
    },
    async read(after, limit, nowMs) {
      const found: DurableEvent[] = [];
      for (let ms = msOfSeq(after); liveHour(ms) <= liveHour(nowMs); ms += HOUR_MS) {
        const hour = await readHour(db, liveHour(ms), after, limit + 1 - found.length);
        found.push(...hour.events);
        if (hour.cut || found.length > limit) return pageOf(found, limit, hour.cut);
      }
      return pageOf(found, limit, false);
    },
  };
}

/** The open live sockets over the table, spread over LIVE_CONNECTION_SHARDS partitions. */
export function liveConnectionRepository(db: DynamoDb): LiveConnections {
  return {
    async add(connection, nowMs) {
      await putItem(db, putLiveConnectionInput(db.table, connection, nowMs));
    },
    async remove(connectionId) {
      const input = deleteLiveConnectionInput(db.table, connectionId);
      const out = await sendDynamo('DeleteItem', () => db.doc.delete(input));
      const parsed = ConnectionItemSchema.safeParse(out.Attributes);
      return parsed.success ? parsed.data : undefined;
    },
    async get(connectionId) {
      const out = await getItem(db, { TableName: db.table, Key: liveConnectionKey(connectionId) });
      const parsed = ConnectionItemSchema.safeParse(out.Item);
      return parsed.success ? parsed.data : undefined;
    },
    async setViewing(connectionId, conversationId) {
      // The write answers the socket as it left it (`ALL_NEW`): no read after it.
      const attributes = await updateItemReturningIf(
        db,
        setLiveViewingInput(db.table, connectionId, conversationId),
      );
      if (!attributes) return undefined;
      const parsed = ConnectionItemSchema.safeParse(attributes);
      return parsed.success ? parsed.data : undefined;
    },
    async list() {
      const shards = await Promise.all(
        Array.from({ length: LIVE_CONNECTION_SHARDS }, (_, shard) =>
          queryAll(db, queryLiveConnectionsInput(db.table, shard)),
        ),
      );
      return shards.flat().flatMap((item): LiveConnection[] => {
        const parsed = ConnectionItemSchema.safeParse(item);
        return parsed.success ? [parsed.data] : [];
      });
    },
  };
}
