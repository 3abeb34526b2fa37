import { decidedItemId } from '../domain/routing/routable.js';
import { TIMELINE_PREFIX } from './keys.js';

/** A timeline row as read: its sort key (`TIMELINE#<at>#<item id>`) and its `arrival`, when it has one. */
export interface OrderedRow {
  sk: string;
  arrival?: number | undefined;
}

/** The time in a timeline sort key: what two items of one second (WhatsApp's) share. */
function keyTime(sk: string): string {
  const end = sk.indexOf('#', TIMELINE_PREFIX.length);
  return end < 0 ? sk : sk.slice(0, end);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The stored `arrival` of a timeline item (`arrivalOf`), when it has one. */
export function arrivalOfItem(item: Record<string, unknown>): number | undefined {
  return typeof item.arrival === 'number' ? item.arrival : undefined;
}

/** Where a row sorts among those of its time: an arrival and a key, and 1 for a row put after that key's. */
interface Place {
  arrival: number;
  sk: string;
  after: number;
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
    places.set(row, { arrival: own.arrival ?? -1, sk: own.sk, after: item ? 1 : 0 });
  }
  return places;
}

/**
 * Timeline rows oldest first, as they happened: by the time in their key, then, within one time, by
 * `arrival` (an item without one, written before or by our own clock, first), then by key (the
 * provider's id: the order before), a routing decision right after its item (`placesOf`). Stable, so
 * rows sharing a key (an AI reply and its decision) keep their order.
 */
export function inTimelineOrder<T extends OrderedRow>(rows: readonly T[]): T[] {
  const places = placesOf(rows);
  const placeOf = (row: T): Place => places.get(row) ?? { arrival: row.arrival ?? -1, sk: row.sk, after: 0 };
  return [...rows].sort((a, b) => {
    const [pa, pb] = [placeOf(a), placeOf(b)];
    return (
      compare(keyTime(a.sk), keyTime(b.sk)) ||
      pa.arrival - pb.arrival ||
      compare(pa.sk, pb.sk) ||
      pa.after - pb.after
    );
  });
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
