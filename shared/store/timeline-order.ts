import { decidedItemId } from '../domain/routing/routable.js';
import { TIMELINE_PREFIX } from './keys.js';

/**
 * A timeline row as read: its sort key (`TIMELINE#<at>#<item id>`), its `arrival`, when it has one, and
 * its place among the rows one stored item unfolds into (an AI reply and its decision: 0, 1).
 */
export interface OrderedRow {
  sk: string;
  arrival?: number | undefined;
  part?: number | undefined;
}

/** The time in a timeline sort key (`TIMELINE#<at>`): what two items of one second (WhatsApp's) share. */
export function keyTime(sk: string): string {
  const end = sk.indexOf('#', TIMELINE_PREFIX.length);
  return end < 0 ? sk : sk.slice(0, end);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The stored `arrival` of a timeline item (`arrivalOf`), when it has one. */
export function arrivalOfItem(item: Record<string, unknown>): number | undefined {
  return typeof item.arrival === 'number' ? item.arrival : undefined;
}

/**
 * Where a row sorts among those of its time: an arrival and a key, 1 for a row put after that key's,
 * and its part of its stored item. A total order of one time's rows, whatever else is read with them
 * (a page's cursor keeps its last row's place).
 */
export interface Place {
  arrival: number;
  sk: string;
  after: number;
  part: number;
}

/** Compares two places of one time. */
export function comparePlaces(a: Place, b: Place): number {
  return a.arrival - b.arrival || compare(a.sk, b.sk) || a.after - b.after || a.part - b.part;
}

/**
 * Each row's place: its own arrival and key, except a routing decision's (`route:<item id>`, written
 * at its item's time), which goes right after the item it decides when that is among the rows. By its
 * own it came first: "route:" sorts before a voicemail's `twilio:` or a WhatsApp message's key, and a
 * decision has no arrival (it is ours, not the provider's).
 */
function placesOf<T extends OrderedRow>(rows: readonly T[]): Map<T, Place> {
  const bySk = new Map(rows.map((row) => [row.sk, row]));
  const places = new Map<T, Place>();
  for (const row of rows) {
    const time = keyTime(row.sk);
    const decided = decidedItemId(row.sk.slice(time.length + 1));
    const item = decided === undefined ? undefined : bySk.get(`${time}#${decided}`);
    const own = item ?? row;
    places.set(row, { arrival: own.arrival ?? -1, sk: own.sk, after: item ? 1 : 0, part: row.part ?? 0 });
  }
  return places;
}

/**
 * Timeline rows oldest first, as they happened: by the time in their key, then, within one time, by
 * `arrival` (an item without one, written before or by our own clock, first), then by key (the
 * provider's id: the order before), a routing decision right after its item (`placesOf`), rows sharing
 * a key (an AI reply and its decision) by their part.
 */
export function inTimelineOrder<T extends OrderedRow>(rows: readonly T[]): T[] {
  return placedInTimelineOrder(rows).map(({ row }) => row);
}

/** The same, each row with its place among those of its time (see `Place`). */
export function placedInTimelineOrder<T extends OrderedRow>(
  rows: readonly T[],
): Array<{ row: T; place: Place }> {
  const places = placesOf(rows);
  return rows
    .map((row) => ({ row, place: places.get(row) as Place }))
    .sort((a, b) => compare(keyTime(a.row.sk), keyTime(b.row.sk)) || comparePlaces(a.place, b.place));
}

/**
 * The first `limit` rows in key order (the order of the query, either way), never between two rows
 * of one time (their order is `inTimelineOrder`'s, which the key does not follow), so the cursor, the
 * last key taken, leaves none of them behind; never between two that share a key (an unfolded pair).
 * A time with more rows than a page is cut between keys, as before.
 */
export function pageCut<T extends OrderedRow>(rows: readonly T[], limit: number): T[] {
  const taken = rows.slice(0, limit);
  const last = taken.at(-1);
  const next = rows[limit];
  if (!last || !next) return taken;
  const time = keyTime(last.sk);
  if (keyTime(next.sk) === time) {
    const whole = taken.filter((row) => keyTime(row.sk) !== time);
    if (whole.length) return whole;
  }
  if (next.sk !== last.sk) return taken;
  const whole = taken.filter((row) => row.sk !== last.sk);
  return whole.length ? whole : rows.filter((row, i) => i < limit || row.sk === last.sk);
}
