import type { ServerFrame } from '#shared/domain/live/events.js';
import type { LiveConnection, LiveConnections, LiveSender } from '#shared/domain/live/live-ports.js';
import type { Clock } from '#shared/domain/ports.js';

/** What a broadcast needs: the open sockets and a way to write to them; with a clock, tokens expire. */
export interface BroadcastDeps {
  connections: Pick<LiveConnections, 'list' | 'remove'>;
  sender: LiveSender;
  clock?: Clock;
}

/** Whether the socket's token has expired by now: it is then sent nothing more. */
function expired(connection: LiveConnection, clock: Clock | undefined): boolean {
  return (
    connection.expiresAt !== undefined && clock !== undefined && connection.expiresAt <= clock.now().getTime()
  );
}

/**
 * Sends frames to every open socket (but `except`), in order per socket, sockets in parallel. A socket
 * that is gone is forgotten; one that fails otherwise is skipped (its client catches up with
 * `GET /api/events` when it reconnects), so one bad socket never holds the others back. A socket whose
 * token has expired (`expiresAt`) is sent nothing and closed: its close forgets it and tells the others.
 */
export async function broadcastLive(
  deps: BroadcastDeps,
  frames: readonly ServerFrame[],
  options: { except?: string; to?: readonly LiveConnection[] } = {},
): Promise<void> {
  if (frames.length === 0) return;
  const connections = options.to ?? (await deps.connections.list());
  const lapsed = connections.filter((c) => expired(c, deps.clock));
  await Promise.all(lapsed.map((c) => deps.sender.close?.(c.connectionId).catch(() => undefined)));
  await Promise.all(
    connections
      .filter((c) => c.connectionId !== options.except && !lapsed.includes(c))
      .map(async ({ connectionId }) => {
        for (const frame of frames) {
          const sent = await deps.sender.send(connectionId, frame).catch(() => 'failed' as const);
          if (sent === 'gone') {
            await deps.connections.remove(connectionId).catch(() => undefined);
            return;
          }
          if (sent === 'failed') return;
        }
      }),
  );
}
