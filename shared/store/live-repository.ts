import * as z from 'zod';
import { type DurableEvent, DurableEventSchema } from '../domain/live/events.js';
import type { LiveConnection, LiveConnections, LiveEventLog } from '../domain/live/live-ports.js';
import { msOfSeq } from '../domain/live/seq.js';
import { type DynamoDb, getItem, putItem, sendDynamo, updateItemIf } from './dynamo-client.js';
import { LIVE_CONNECTION_SHARDS, LIVE_SHARDS, liveConnectionKey, liveHour } from './keys.js';
import { queryAll, queryPage } from './paging.js';
import {
  deleteLiveConnectionInput,
  putLiveConnectionInput,
  putLiveEventInput,
  queryLiveConnectionsInput,
  queryLiveEventsInput,
  setLiveViewingInput,
} from './params/live.js';

const HOUR_MS = 3_600_000;
const StoredEventSchema = z.object({ event: z.string() });
const ConnectionItemSchema = z.object({
  connectionId: z.string(),
  agentId: z.string(),
  viewing: z.string().optional(),
});

/** One event item as the log stores it. */
function eventOf(item: Record<string, unknown>): DurableEvent {
  return DurableEventSchema.parse(JSON.parse(StoredEventSchema.parse(item).event));
}

/**
 * One hour's events above `after`, every shard asked for `limit` and merged by `seq`. A shard that had
 * more is complete only up to its last event: what is answered stops there (`bound`), so nothing of
 * another shard is skipped.
 */
async function readHour(db: DynamoDb, hour: string, after: number, limit: number) {
  const shards = await Promise.all(
    Array.from({ length: LIVE_SHARDS }, (_, shard) =>
      queryPage(db, queryLiveEventsInput(db.table, hour, shard, after, limit), limit),
    ),
  );
  let bound = Number.POSITIVE_INFINITY;
  const events: DurableEvent[] = [];
  for (const { items, next } of shards) {
    const parsed = items.map(eventOf);
    events.push(...parsed);
    if (next) bound = Math.min(bound, parsed.at(-1)?.seq ?? after);
  }
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

/** The live event log over the table: one item per event, sharded by customer, bucketed by hour. */
export function liveEventRepository(db: DynamoDb): LiveEventLog {
  return {
    async append(events) {
      await Promise.all(events.map((event) => putItem(db, putLiveEventInput(db.table, event))));
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
      const found = await updateItemIf(db, setLiveViewingInput(db.table, connectionId, conversationId));
      return found ? this.get(connectionId) : undefined;
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
