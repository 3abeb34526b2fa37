import type { ChangeFeedConsumer, ChangeRecord } from '#shared/domain/change-feed.js';
import {
  type LiveEventDraft,
  latestOfBatch,
  liveEventsOfChange,
  loadsOfChanges,
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

/**
 * A batch's durable events (the newest of each item, conversation and profile), and its ephemeral
 * frames: presence moves, and each agent's load as the batch left it (`agent.load`).
 */
function framesOf(records: readonly ChangeRecord[]): { drafts: LiveEventDraft[]; presence: ServerFrame[] } {
  const drafts = records.flatMap(liveEventsOfChange);
  const presence = records.flatMap((record): ServerFrame[] => {
    const item = presenceOfChange(record);
    return item ? [{ type: 'presence', item }] : [];
  });
  const loads = loadsOfChanges(records).map((item): ServerFrame => ({ type: 'agent.load', item }));
  return { drafts: latestOfBatch(drafts), presence: [...presence, ...loads] };
}

/** The agents an admin removed in this batch: their removal record written (`agent_removal`). */
function removedAgentsOf(records: readonly ChangeRecord[]): Set<string> {
  const removed = records.flatMap((record) => {
    const image = record.kind === 'insert' ? record.newImage : undefined;
    return image?.entity === 'agent_removal' && typeof image.agentId === 'string' ? [image.agentId] : [];
  });
  return new Set(removed);
}

/**
 * The open sockets of a batch: those of an agent it removed are closed (`agent_removed`; their close
 * forgets them and tells the others they went offline) and left out, so a socket opened before the
 * removal receives nothing more, the batch's events included. The same list a batch reads anyway.
 */
async function socketsAfterRemovals(deps: PublishLiveDeps, removed: ReadonlySet<string>) {
  const sockets = await deps.connections.list();
  const closing = sockets.filter((c) => removed.has(c.agentId));
  await Promise.all(closing.map((c) => deps.sender.close?.(c.connectionId, 'agent_removed')));
  return sockets.filter((c) => !removed.has(c.agentId));
}

/**
 * The change-feed consumer of live updates: a batch of changes becomes durable events, kept in the log
 * first (so a client that misses the push finds them with `GET /api/events`), then pushed at once to
 * every open socket, with the agents' presence and load moves; an agent an admin removed has their sockets closed. An item changed several times in the batch is one
 * event, and the log packs the batch's events into few items, so a busy table pays a fraction of a
 * write unit an event. A batch that fails is delivered again whole: its events keep their ids (the
 * client drops those it has), only their `seq` is new.
 */
export function publishLiveChanges(deps: PublishLiveDeps): ChangeFeedConsumer {
  return async (records) => {
    try {
      const { drafts, presence } = framesOf(records);
      const removed = removedAgentsOf(records);
      // The sockets read (and a removed agent's closed) first: a close that fails appends nothing twice.
      const to =
        drafts.length + presence.length + removed.size > 0 ? await socketsAfterRemovals(deps, removed) : [];
      const numbered = drafts.map((draft) => ({ ...draft, seq: deps.nextSeq() }) as DurableEvent);
      if (numbered.length > 0) await deps.events.append(numbered);
      const frames: ServerFrame[] = [...numbered, ...presence];
      if (frames.length > 0) await broadcastLive(deps, frames, { to });
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
