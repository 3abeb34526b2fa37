import { type ChangeFeedConsumer, inOrder } from '#shared/domain/change-feed.js';
import { liveEventsOfChange, presenceOfChange } from '#shared/domain/events/live-events.js';
import type { DurableEvent, ServerFrame } from '#shared/domain/live/events.js';
import type { LiveConnection, LiveEventLog } from '#shared/domain/live/live-ports.js';
import { type BroadcastDeps, broadcastLive } from './broadcast-live.js';

/** What publishing live events needs: the log, this writer's `seq` source, the sockets, a log line. */
export interface PublishLiveDeps extends BroadcastDeps {
  events: Pick<LiveEventLog, 'append'>;
  nextSeq(): number;
  log(level: 'error', message: string, fields: Record<string, unknown>): void;
}

/**
 * The change-feed consumer of live updates: each change becomes durable events, kept in the log first
 * (so a client that misses the push finds them with `GET /api/events`), then pushed at once to every
 * socket open when the batch began (listed once a batch), with the agents' presence moves. A batch that fails is delivered again: its events keep their
 * ids (the client drops those it has), only their `seq` is new.
 */
export function publishLiveChanges(deps: PublishLiveDeps): ChangeFeedConsumer {
  return async (records) => {
    let sockets: Promise<LiveConnection[]> | undefined;
    const consume = inOrder(
      async (record) => {
        const events = liveEventsOfChange(record).map(
          (draft) => ({ ...draft, seq: deps.nextSeq() }) as DurableEvent,
        );
        if (events.length > 0) await deps.events.append(events);
        const presence = presenceOfChange(record);
        const frames: ServerFrame[] = [
          ...events,
          ...(presence ? [{ type: 'presence' as const, item: presence }] : []),
        ];
        if (frames.length === 0) return;
        sockets ??= deps.connections.list();
        await broadcastLive(deps, frames, { to: await sockets });
      },
      (record, error) =>
        deps.log('error', 'change record not published live', {
          sequence: record.sequence,
          error: error instanceof Error ? error.name : 'unknown',
        }),
    );
    return consume(records);
  };
}
