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

/**
 * Timeline rows oldest first, as they happened: by the time in their key, then, within one time, by
 * `arrival` (an item without one, written before or by our own clock, first), then by key (the
 * provider's id: the order before). Stable, so rows sharing a key (an AI reply and its decision) keep
 * their order.
 */
export function inTimelineOrder<T extends OrderedRow>(rows: readonly T[]): T[] {
  return [...rows].sort(
    (a, b) =>
      compare(keyTime(a.sk), keyTime(b.sk)) || (a.arrival ?? -1) - (b.arrival ?? -1) || compare(a.sk, b.sk),
  );
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
