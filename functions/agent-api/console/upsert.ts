import { movesBack } from '#shared/domain/status-rank.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

/**
 * The same item seen twice merged: the later view wins, except that a delivery status only moves
 * forward. A reply's POST answer (queued) can reach the page after the live event that it was sent, and
 * a page read can be older than a buffered event; neither may take the status back.
 */
function merged(seen: TimelineItem, item: TimelineItem): TimelineItem {
  const next = { ...seen, ...item };
  if (movesBack(item.status, seen.status)) {
    next.status = seen.status;
    next.statusAt = seen.statusAt;
    next.errors = seen.errors;
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
  const lastInbound = items.findLast((i) => i.type === 'message' && i.direction === 'inbound');
  const add: TimelineItem[] = [];
  if (
    item.type === 'message' &&
    item.direction === 'inbound' &&
    lastInbound?.channel &&
    item.channel !== lastInbound.channel
  )
    add.push({
      ...item,
      id: `switch:${item.id}`,
      type: 'event',
      event: 'channel_switch',
      data: { from: lastInbound.channel, to: item.channel },
    });
  add.push(item);
  let index = items.length;
  while (index > 0 && (items[index - 1]?.at ?? '') > item.at) index--;
  return [...items.slice(0, index), ...add, ...items.slice(index)];
}
