import { type EventsPage, type EventsQuery, LIVE_OVERLAP_SEQ } from '#shared/domain/live/events.js';
import type { LiveEventLog } from '#shared/domain/live/live-ports.js';
import { msOfSeq, seqAt } from '#shared/domain/live/seq.js';
import type { Clock } from '#shared/domain/ports.js';
import { GoneError, ValidationError } from '#shared/errors.js';

/** How far back a `since` may reach: the log keeps more (`LIVE_RETENTION_MS`), so nothing asked for is half gone. */
export const LIVE_CATCH_UP_MS = 24 * 3_600_000;

/** How far ahead of the server's clock a `since` may be (a client's clock running ahead): 5 minutes. */
export const LIVE_AHEAD_MS = 5 * 60_000;

/**
 * What a client missed: the events after `since`, from `LIVE_OVERLAP_SEQ` before it (a slower writer
 * may have given an earlier `seq` to an event that landed later; the client drops ids it has). A page
 * that is not the last answers as `seq` a mark that starts the next page right after it. A `since`
 * older than 24 hours is `events_expired` (410): the client reloads its view. A `since` ahead of the
 * clock (up to `LIVE_AHEAD_MS`) is read as now, so the `seq` answered is not ahead either and following
 * it skips nothing; further ahead, or a time in milliseconds rather than a `seq`, is 400.
 */
export async function readLiveEvents(
  deps: { events: Pick<LiveEventLog, 'read'>; clock: Clock },
  query: EventsQuery,
): Promise<EventsPage> {
  const now = deps.clock.now().getTime();
  const since = sinceOf(query.since, now);
  const after = Math.max(0, since - LIVE_OVERLAP_SEQ, seqAt(now - LIVE_CATCH_UP_MS));
  const page = await deps.events.read(after, query.limit, now);
  const last = page.events.at(-1)?.seq ?? 0;
  const seq = page.more ? last + LIVE_OVERLAP_SEQ : Math.max(since, last);
  return { events: page.events, seq, more: page.more };
}

/** The `since` to read from: the asked one, or now when it is a little ahead; refused as described above. */
function sinceOf(since: number, now: number): number {
  const at = msOfSeq(since);
  if (at > now + LIVE_AHEAD_MS) {
    throw new ValidationError(
      'since: more than 5 minutes ahead of the server clock; pass the highest seq seen (from an event or hello)',
    );
  }
  if (at < now - LIVE_CATCH_UP_MS) {
    // A time in milliseconds (Date.now()) reads as a seq of 1970: say so rather than "expired".
    if (since >= now - LIVE_CATCH_UP_MS && since <= now + LIVE_AHEAD_MS) {
      throw new ValidationError(
        'since: a seq is milliseconds × 1000 plus a counter, not milliseconds; pass the highest seq seen (from an event or hello)',
      );
    }
    throw new GoneError('events older than 24 hours are no longer kept: reload', 'events_expired');
  }
  return at > now ? seqAt(now) : since;
}
