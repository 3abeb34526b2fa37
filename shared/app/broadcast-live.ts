import type { ServerFrame } from '#shared/domain/live/events.js';
import type { LiveConnection, LiveConnections, LiveSender } from '#shared/domain/live/live-ports.js';

/** What a broadcast needs: the open sockets and a way to write to them. */
export interface BroadcastDeps {
  connections: Pick<LiveConnections, 'list' | 'remove'>;
  sender: LiveSender;
}

/**
 * Sends frames to every open socket (but `except`), in order per socket, sockets in parallel. A socket
 * that is gone is forgotten; one that fails otherwise is skipped (its client catches up with
 * `GET /api/events` when it reconnects), so one bad socket never holds the others back.
 */
export async function broadcastLive(
  deps: BroadcastDeps,
  frames: readonly ServerFrame[],
  options: { except?: string; to?: readonly LiveConnection[] } = {},
): Promise<void> {
  if (frames.length === 0) return;
  const connections = options.to ?? (await deps.connections.list());
  await Promise.all(
    connections
      .filter((c) => c.connectionId !== options.except)
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
