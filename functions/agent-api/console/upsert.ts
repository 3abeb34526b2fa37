import { GAVE_UP_CODE } from '#shared/domain/send-errors.js';
import { movesBack } from '#shared/domain/status-rank.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

/** A reply the sender gave up on after its retries: a redrive may send it again. */
const gaveUp = (i: TimelineItem) =>
  i.status === 'failed' && (i.errors ?? []).some((e) => e.code === GAVE_UP_CODE);

/** The statuses a redriven reply goes through after its failure: queued, then sent and delivered. */
const redriven = (i: TimelineItem) =>
  i.status === 'queued' || i.status === 'sent' || i.status === 'delivered';

/**
 * Whether `item`'s status is older than `seen`'s. A status moves forward only, save one move: a redrive
 * takes a reply given up on back to `queued` and sends it again. Between such a failure and a status
 * below it, their own times say which came last (the redrive's claim is timed after the failure, a
 * stale failure before the claim); any other pair, or one without a time, goes by rank.
 */
export function statusOlder(item: TimelineItem, seen: TimelineItem): boolean {
  const redrive = (gaveUp(seen) && redriven(item)) || (gaveUp(item) && redriven(seen));
  if (redrive && item.statusAt && seen.statusAt && item.statusAt !== seen.statusAt)
    return item.statusAt < seen.statusAt;
  return movesBack(item.status, seen.status);
}

/**
 * The same item seen twice merged: the later view wins, except that a delivery status only moves
 * forward (but for a redrive, see statusOlder). A reply's POST answer (queued) can reach the page after
 * the live event that it was sent, and a page read can be older than a buffered event; neither may take
 * the status back.
 */
function merged(seen: TimelineItem, item: TimelineItem): TimelineItem {
  const next = { ...seen, ...item };
  if (statusOlder(item, seen)) {
    next.status = seen.status;
    next.statusAt = seen.statusAt;
    next.errors = seen.errors;
  } else if (gaveUp(seen) && !gaveUp(item)) {
    // The redrive took the failure off: its errors go with it (a whole item holds none then).
    next.errors = item.errors;
  }
  return next;
}

/** Puts a live item in place: the same id replaces (a status moved), a new one goes in time order. */
export function upsert(items: TimelineItem[], item: TimelineItem): TimelineItem[] {
  const at = items.findIndex((i) => i.id === item.id);
  const seen = items[at];
  if (seen) {
    const next = items.slice();
    next[at] = merged(seen, item);
    return next;
  }
  const add = [...switchTo(item, items.findLast(inbound)), item];
  let index = items.length;
  while (index > 0 && (items[index - 1]?.at ?? '') > item.at) index--;
  return [...items.slice(0, index), ...add, ...items.slice(index)];
}

const inbound = (i: TimelineItem) => i.type === 'message' && i.direction === 'inbound';

/** The `channel_switch` event before an inbound message on another channel than the inbound one before it. */
function switchTo(item: TimelineItem, before: TimelineItem | undefined): TimelineItem[] {
  if (!inbound(item) || !before?.channel || !item.channel || item.channel === before.channel) return [];
  return [
    {
      ...item,
      id: `switch:${item.id}`,
      type: 'event',
      event: 'channel_switch',
      data: { from: before.channel, to: item.channel },
    },
  ];
}

/**
 * An older page put before the items shown (each item once), with the channel switch the API could not
 * derive: the one before the first inbound message shown, when the page's last inbound one came on
 * another channel (a newest-first page derives its switches within itself only).
 */
export function withEarlier(older: readonly TimelineItem[], items: TimelineItem[]): TimelineItem[] {
  const shown = new Set(items.map((i) => i.id));
  const before = older.filter((i) => !shown.has(i.id));
  const first = items.findIndex(inbound);
  const head = items[first];
  const join = head && !shown.has(`switch:${head.id}`) ? switchTo(head, before.findLast(inbound)) : [];
  const rest = join.length ? [...items.slice(0, first), ...join, ...items.slice(first)] : items;
  return [...before, ...rest];
}
