import { type EventsPage, type EventsQuery, LIVE_OVERLAP_SEQ } from '#shared/domain/live/events.js';
import type { LiveEventLog } from '#shared/domain/live/live-ports.js';
import { msOfSeq, seqAt } from '#shared/domain/live/seq.js';
import type { Clock } from '#shared/domain/ports.js';
import { GoneError } from '#shared/errors.js';

/** How far back a `since` may reach: the log keeps more (`LIVE_RETENTION_MS`), so nothing asked for is half gone. */
export const LIVE_CATCH_UP_MS = 24 * 3_600_000;

/**
 * What a client missed: the events after `since`, from `LIVE_OVERLAP_SEQ` before it (a slower writer
 * may have given an earlier `seq` to an event that landed later; the client drops ids it has). A page
 * that is not the last answers as `seq` a mark that starts the next page right after it. A `since`
 * older than 24 hours is `events_expired` (410): the client reloads its view.
 */
export async function readLiveEvents(
  deps: { events: Pick<LiveEventLog, 'read'>; clock: Clock },
  query: EventsQuery,
): Promise<EventsPage> {
  const now = deps.clock.now().getTime();
  if (msOfSeq(query.since) < now - LIVE_CATCH_UP_MS) {
    throw new GoneError('events older than 24 hours are no longer kept: reload', 'events_expired');
  }
  const after = Math.max(0, query.since - LIVE_OVERLAP_SEQ, seqAt(now - LIVE_CATCH_UP_MS));
  const page = await deps.events.read(after, query.limit, now);
  const last = page.events.at(-1)?.seq ?? 0;
  const seq = page.more ? last + LIVE_OVERLAP_SEQ : Math.max(query.since, last);
  return { events: page.events, seq, more: page.more };
}
