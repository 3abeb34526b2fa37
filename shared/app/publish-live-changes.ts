import type { ChangeFeedConsumer, ChangeRecord } from '#shared/domain/change-feed.js';
import {
  type LiveEventDraft,
  latestOfBatch,
  liveEventsOfChange,
  presenceOfChange,
} from '#shared/domain/events/live-events.js';
import type { DurableEvent, ServerFrame } from '#shared/domain/live/events.js';
import type { LiveEventLog } from '#shared/domain/live/live-ports.js';
import { type BroadcastDeps, broadcastLive } from './broadcast-live.js';

/** What publishing live events needs: the log, this writer's `seq` source, the sockets, a log line. */
export interface PublishLiveDeps extends BroadcastDeps {
  events: Pick<LiveEventLog, 'append'>;
  nextSeq(): number;
  log(level: 'error', message: string, fields: Record<string, unknown>): void;
}

/** A batch's durable events (the newest of each item, conversation and profile) and presence moves. */
function framesOf(records: readonly ChangeRecord[]): { drafts: LiveEventDraft[]; presence: ServerFrame[] } {
  const drafts = records.flatMap(liveEventsOfChange);
  const presence = records.flatMap((record): ServerFrame[] => {
    const item = presenceOfChange(record);
    return item ? [{ type: 'presence', item }] : [];
  });
  return { drafts: latestOfBatch(drafts), presence };
}

/**
 * The change-feed consumer of live updates: a batch of changes becomes durable events, kept in the log
 * first (so a client that misses the push finds them with `GET /api/events`), then pushed at once to
 * every open socket, with the agents' presence moves. An item changed several times in the batch is one
 * event, and the log packs the batch's events into few items, so a busy table pays a fraction of a
 * write unit an event. A batch that fails is delivered again whole: its events keep their ids (the
 * client drops those it has), only their `seq` is new.
 */
export function publishLiveChanges(deps: PublishLiveDeps): ChangeFeedConsumer {
  return async (records) => {
    try {
      const { drafts, presence } = framesOf(records);
      const numbered = drafts.map((draft) => ({ ...draft, seq: deps.nextSeq() }) as DurableEvent);
      if (numbered.length > 0) await deps.events.append(numbered);
      const frames: ServerFrame[] = [...numbered, ...presence];
      if (frames.length > 0) await broadcastLive(deps, frames, { to: await deps.connections.list() });
      return {};
    } catch (error) {
      deps.log('error', 'change records not published live', {
        sequence: records[0]?.sequence,
        records: records.length,
        error: error instanceof Error ? error.name : 'unknown',
      });
      return { failedSequence: records[0]?.sequence };
    }
  };
}
