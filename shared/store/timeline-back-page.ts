import type { Page } from '../domain/paging.js';
import type { TimelineItem } from '../domain/timeline.js';
import { decodeTimelineBackCursor, encodeTimelineBackCursor } from './cursor.js';
import type { DynamoDb } from './dynamo-client.js';
import { queryPage } from './paging.js';
import { queryTimelineBackInput } from './params/timeline.js';
import { queryTimelineSecondInput } from './params/timeline-second.js';
import {
  comparePlaces,
  inTimelineOrder,
  keyTime,
  type Place,
  pageCut,
  placedInTimelineOrder,
} from './timeline-order.js';
import { TIME_READ_MAX, type TimelineRow, toTimelineRows } from './timeline-page.js';

type Partitions = { mergedPartitions(customerId: string): Promise<string[]> };
type Placed = { row: TimelineRow; place: Place };
type BackCursor = ReturnType<typeof decodeTimelineBackCursor>;

/** Whether a row comes before the cursor: before its place in its time (a key cursor: its key). */
function beforeCursor(cursor: BackCursor): (placed: Placed) => boolean {
  const { before, place } = cursor;
  if (before === undefined) return () => true;
  if (!place) return ({ row }) => row.sk < before;
  const time = keyTime(before);
  return ({ row, place: own }) => {
    const rowTime = keyTime(row.sk);
    return rowTime < time || (rowTime === time && comparePlaces(own, place) < 0);
  };
}

/** The largest last key of the reads that stopped with more to read: below it, rows may be missing. */
function stopOf(reads: ReadonlyArray<{ items: Record<string, unknown>[]; next: unknown }>) {
  const stops = reads.flatMap((out) => (out.next ? [String(out.items.at(-1)?.sk)] : []));
  return stops.length ? stops.reduce((a, b) => (a > b ? a : b)) : undefined;
}

/**
 * One page of the union of the customer's partitions read from its end: the `limit` newest items
 * before the cursor, oldest first within the page, and a cursor to the older ones. One backwards query
 * per partition (read on past DynamoDB's 1 MB stops), so a long history costs a page, not its length.
 * The items of one time are in timeline order (`placedInTimelineOrder`), as oldest first pages them:
 * a page that ends inside a time keeps its oldest item's place, and the next reads that time again
 * from its end, so newest first is the reverse of oldest first whatever the page size (before, a page
 * cut inside a time cut it in key order: a routing decision came before its message at `limit=1`).
 * No derived channel switches: they need the item before the page (the web chat shows no events).
 */
export async function timelineBackPage(
  db: DynamoDb,
  customers: Partitions,
  customerId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<TimelineItem>> {
  const cursor = decodeTimelineBackCursor(page.cursor, customerId);
  const partitions = await customers.mergedPartitions(customerId);
  const isBefore = beforeCursor(cursor);
  // A place cursor reads its time again from its end (every key of it sorts below `<time>$`).
  const to = cursor.before && cursor.place ? `${keyTime(cursor.before)}$` : cursor.before;
  const want = page.limit + Math.min(cursor.place?.seen ?? 0, TIME_READ_MAX) + 2;
  const reads = await Promise.all(
    partitions.map((id) =>
      queryPage(db, queryTimelineBackInput(db.table, id, { limit: want + 1, before: to }), want),
    ),
  );
  const stop = stopOf(reads);
  const rows = reads.flatMap((out) => out.items).flatMap(toTimelineRows);
  const whole = stop === undefined ? rows : rows.filter((row) => keyTime(row.sk) > keyTime(stop));
  let placed = placedInTimelineOrder(whole);
  let fresh = placed.filter(isBefore);
  if (fresh.length === 0 && stop !== undefined) {
    // The page is inside one time the reads did not hold whole: that time, whole.
    const time = keyTime(stop);
    const times = await Promise.all(
      partitions.map((id) =>
        queryPage(db, queryTimelineSecondInput(db.table, id, time, { limit: TIME_READ_MAX }), TIME_READ_MAX),
      ),
    );
    if (times.some((out) => out.next)) return keyOrderedBack(rows, stop, page.limit, customerId);
    placed = placedInTimelineOrder(times.flatMap((out) => out.items).flatMap(toTimelineRows));
    fresh = placed.filter(isBefore);
  }
  const taken = fresh.slice(-page.limit);
  const more = fresh.length > taken.length || stop !== undefined;
  const first = taken[0];
  if (!more || !first) return { items: taken.map(({ row }) => row.item), cursor: null };
  const time = keyTime(first.row.sk);
  const seen = placed.filter((p) => keyTime(p.row.sk) === time && comparePlaces(p.place, first.place) >= 0);
  return {
    items: taken.map(({ row }) => row.item),
    cursor: encodeTimelineBackCursor({
      of: customerId,
      before: first.row.sk,
      place: { ...first.place, seen: seen.length },
    }),
  };
}

/**
 * A time holding more than `TIME_READ_MAX` items in a partition (a burst no provider makes), paged in
 * key order as before: the rows read, cut between keys, the cursor the oldest key taken.
 */
function keyOrderedBack(
  rows: TimelineRow[],
  stop: string,
  limit: number,
  customerId: string,
): Page<TimelineItem> {
  const sorted = rows
    .filter((row) => row.sk >= stop)
    .sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0));
  const taken = pageCut(sorted, limit);
  const oldest = taken.at(-1);
  return {
    items: inTimelineOrder(taken.reverse()).map((row) => row.item),
    cursor: oldest ? encodeTimelineBackCursor({ of: customerId, before: oldest.sk }) : null,
  };
}
