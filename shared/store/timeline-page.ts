import type { ResumablePage } from '../domain/paging.js';
import { unfoldDecision } from '../domain/routing/facts.js';
import {
  type PlacedTimelineItem,
  type TimelineItem,
  timelineAtOf,
  withChannelSwitches,
} from '../domain/timeline.js';
import { decodeTimelineCursor, encodeTimelineCursor } from './cursor.js';
import { toTimelineItem } from './delivery-status.js';
import type { DynamoDb } from './dynamo-client.js';
import { TIMELINE_PREFIX } from './keys.js';
import { queryPage } from './paging.js';
import { queryTimelineInput } from './params/timeline.js';
import { queryTimelineSecondInput } from './params/timeline-second.js';
import {
  arrivalOfItem,
  comparePlaces,
  keyTime,
  type OrderedRow,
  type Place,
  placedInTimelineOrder,
} from './timeline-order.js';

/**
 * How many items of one time one partition may hold for a page to order them by arrival: the page that
 * reaches a time reads it whole. Past it (a burst no provider makes: WhatsApp's times are a customer's
 * seconds) the time reads in key order, a page at a time after the last key answered.
 */
export const TIME_READ_MAX = 1000;

/** A timeline row: a stored item as readers see it, with its key, arrival and part. */
export type TimelineRow = OrderedRow & PlacedTimelineItem;

/**
 * A stored timeline item as readers see it: an AI reply with its decision is two (`unfoldDecision`),
 * each with the stored item's sort key, the time in it and its part.
 */
export function toTimelineRows(item: Record<string, unknown>): TimelineRow[] {
  const sk = String(item.sk);
  const parsed = toTimelineItem(item);
  const placedAt = timelineAtOf(sk, parsed.id);
  const arrival = arrivalOfItem(item);
  return unfoldDecision(parsed, placedAt).map((one, part) => ({
    sk,
    arrival,
    part,
    item: one,
    placedAt: placedAt ?? parsed.at,
  }));
}

type Partitions = { mergedPartitions(customerId: string): Promise<string[]> };
type Cursor = ReturnType<typeof decodeTimelineCursor>;
type Placed = { row: TimelineRow; place: Place };

/** Whether a row comes after the cursor: after its place in its time (a cursor made before: its key). */
function afterCursor(cursor: Cursor): (placed: Placed) => boolean {
  const { after, place } = cursor;
  if (after === undefined) return () => true;
  if (!place) return ({ row }) => row.sk > after;
  const time = keyTime(after);
  return ({ row, place: own }) => {
    const rowTime = keyTime(row.sk);
    return rowTime > time || (rowTime === time && comparePlaces(own, place) > 0);
  };
}

/** The smallest last key of the reads that stopped with more to read: past it, rows may be missing. */
function stopOf(reads: ReadonlyArray<{ items: Record<string, unknown>[]; next: unknown }>) {
  const stops = reads.flatMap((out) => (out.next ? [String(out.items.at(-1)?.sk)] : []));
  return stops.length ? stops.reduce((a, b) => (a < b ? a : b)) : undefined;
}

/**
 * What comes after the cursor, in timeline order, from times read whole; `more` when anything may be
 * past them. One Query per partition from the cursor's time (read again from its start: an item of it
 * may have come since), for the page and the items of that time answered before (`seen`); a time the
 * reads stopped inside is left to the next page, or, when the page would be empty without it, read whole
 * (`TIME_READ_MAX` a partition; past it, in key order: `keyOrderedTime`).
 */
async function readAfter(
  db: DynamoDb,
  partitions: readonly string[],
  cursor: Cursor,
  limit: number,
  start?: string,
): Promise<{ placed: Placed[]; fresh: Placed[]; more: boolean; skipTo?: string; keyed?: true }> {
  const isAfter = afterCursor(cursor);
  const seen = Math.min(cursor.place?.seen ?? 0, TIME_READ_MAX);
  let from = cursor.after && cursor.place ? keyTime(cursor.after) : (cursor.after ?? start);
  if (cursor.after && !cursor.place) {
    // A key cursor (made before, or in a burst): the rest of its time in key order, then on past it.
    const time = keyTime(cursor.after);
    const rest = await keyOrderedTime(db, partitions, cursor, time);
    if (rest.fresh.length) return rest;
    from = `${time}$`;
  }
  // One more than the page: whether its last item's time goes on past it (then left to the next page).
  const want = limit + seen + 1;
  const reads = await Promise.all(
    partitions.map((id) =>
      queryPage(db, queryTimelineInput(db.table, id, { limit: want + 1, after: from }), want),
    ),
  );
  const stop = stopOf(reads);
  const rows = reads.flatMap((out) => out.items).flatMap(toTimelineRows);
  const whole = stop === undefined ? rows : rows.filter((row) => keyTime(row.sk) < keyTime(stop));
  const placed = placedInTimelineOrder(whole);
  const fresh = placed.filter(isAfter);
  if (fresh.length || stop === undefined) return { placed, fresh, more: stop !== undefined };
  // The page is inside one time the reads did not hold whole: that time, whole.
  const time = keyTime(stop);
  const times = await Promise.all(
    partitions.map((id) =>
      queryPage(db, queryTimelineSecondInput(db.table, id, time, { limit: TIME_READ_MAX }), TIME_READ_MAX),
    ),
  );
  if (times.some((out) => out.next)) return keyOrderedTime(db, partitions, cursor, time);
  const all = placedInTimelineOrder(times.flatMap((out) => out.items).flatMap(toTimelineRows));
  const after = all.filter(isAfter);
  // Nothing new in it (only items placed before the cursor came): on past the time.
  return { placed: all, fresh: after, more: true, ...(after.length ? {} : { skipTo: `${time}$` }) };
}

/**
 * A time holding more than `TIME_READ_MAX` items in a partition, in key order after the cursor's key:
 * up to `TIME_READ_MAX` from each partition, as far as every partition was read.
 */
async function keyOrderedTime(
  db: DynamoDb,
  partitions: readonly string[],
  cursor: Cursor,
  time: string,
): Promise<{ placed: Placed[]; fresh: Placed[]; more: boolean; keyed: true }> {
  const after = cursor.after && keyTime(cursor.after) === time ? cursor.after : undefined;
  const reads = await Promise.all(
    partitions.map((id) =>
      queryPage(
        db,
        queryTimelineSecondInput(db.table, id, time, { limit: TIME_READ_MAX, after }),
        TIME_READ_MAX,
      ),
    ),
  );
  const stop = stopOf(reads);
  const rows = reads
    .flatMap((out) => out.items)
    .filter((item) => stop === undefined || String(item.sk) <= stop)
    .flatMap(toTimelineRows)
    .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : (a.part ?? 0) - (b.part ?? 0)));
  const placed = rows.map((row) => ({
    row,
    place: { arrival: -1, sk: row.sk, after: 0, part: row.part ?? 0 },
  }));
  return { placed, fresh: placed, more: true, keyed: true };
}

/**
 * One page of the union of the customer's partitions, oldest first, with the cursor after its last item
 * (`resume`) on every page, the last one too: the place to read later what was added after it. The
 * cursor keeps the last item's place among the items of its time (`Place`), so the order is the same
 * whatever the page size, and resuming brings an item of that time that came after it. Without a
 * cursor, `from` (an ISO time) starts the first page at the items of that time: the key condition
 * begins there, so what comes before costs no read (the sort key is `TIMELINE#<at>#<id>`).
 */
export async function timelinePage(
  db: DynamoDb,
  customers: Partitions,
  customerId: string,
  page: { limit: number; cursor?: string | undefined; from?: string | undefined },
): Promise<ResumablePage<TimelineItem>> {
  const cursor = decodeTimelineCursor(page.cursor, customerId);
  const partitions = await customers.mergedPartitions(customerId);
  // The smallest key of the time `from` is above `TIMELINE#<from>` (its items' keys go on with `#<id>`).
  const start = page.from && !page.cursor ? `${TIMELINE_PREFIX}${page.from}` : undefined;
  const read = await readAfter(db, partitions, cursor, page.limit, start);
  const taken = read.fresh.slice(0, page.limit);
  const more = read.fresh.length > taken.length || read.more;
  const derived = withChannelSwitches(
    taken.map(({ row }) => row.item),
    cursor.lastInbound,
  );
  const last = taken.at(-1);
  const { lastInbound } = derived;
  let resume = page.cursor ?? null;
  if (last && read.keyed) resume = encodeTimelineCursor({ of: customerId, after: last.row.sk, lastInbound });
  else if (last) {
    const time = keyTime(last.row.sk);
    const seen = read.placed.filter(({ row }) => keyTime(row.sk) === time).indexOf(last) + 1;
    resume = encodeTimelineCursor({
      of: customerId,
      after: last.row.sk,
      lastInbound,
      place: { ...last.place, seen },
    });
  } else if (read.skipTo) {
    resume = encodeTimelineCursor({ of: customerId, after: read.skipTo, lastInbound: cursor.lastInbound });
  }
  return { items: derived.items, cursor: more && resume ? resume : null, resume };
}
