import { useEffect, useRef, useState } from 'preact/hooks';
import type { TimelineItem } from './api.js';
import { spokenText } from './timeline-item.js';

/** How many arrivals at once are told one by one; more (a reconnect's catch-up) are told as a count. */
const TOLD_ONE_BY_ONE = 3;
/** How long arrivals stay in the hidden live region once told (only the latest arrivals are there). */
const TOLD_KEPT_MS = 5_000;

/** The newest time the timeline has, and the items of that time (others may come in the same second). */
interface Newest {
  at: string;
  ids: Set<string>;
}

/** Whether an item came after `since`: later, or at the same time and not among its items. */
const after = (i: TimelineItem, since: Newest) =>
  i.at > since.at || (i.at === since.at && !since.ids.has(i.id));

function newestOf(items: readonly TimelineItem[], since: Newest | undefined): Newest {
  const at = items.reduce((at, i) => (i.at > at ? i.at : at), since?.at ?? '');
  const ids = new Set(since?.at === at ? since.ids : []);
  for (const i of items) if (i.at === at) ids.add(i.id);
  return { at, ids };
}

/**
 * What a screen reader is told of the timeline: the items that arrive once it has loaded (newer than
 * the newest it loaded with, or as new: a WhatsApp message is timed to its second), each once, whether or not the list draws their row (it draws only the rows
 * near the viewport). Items paged in or read again are older, and are not told. The region holds the
 * latest arrivals only, for a few seconds.
 */
export function useArrivals(items: readonly TimelineItem[], loading: boolean, me: string) {
  const newest = useRef<Newest>();
  const [told, setTold] = useState<Array<{ id: string; text: string }>>([]);
  useEffect(() => {
    if (loading) return;
    const since = newest.current;
    newest.current = newestOf(items, since);
    if (since === undefined) return;
    const fresh = items.flatMap((i) => {
      const text = after(i, since) ? spokenText(i, me) : undefined;
      return text ? [{ id: i.id, text }] : [];
    });
    if (!fresh.length) return;
    const said =
      fresh.length > TOLD_ONE_BY_ONE
        ? [{ id: fresh.map((f) => f.id).join(), text: `${fresh.length} new messages and notes` }]
        : fresh;
    setTold(said);
  }, [items, loading]);
  // Said, then gone: copies kept in the region were read again (and piled up) in browse mode.
  useEffect(() => {
    if (!told.length) return;
    const timer = setTimeout(() => setTold([]), TOLD_KEPT_MS);
    return () => clearTimeout(timer);
  }, [told]);
  return told;
}
