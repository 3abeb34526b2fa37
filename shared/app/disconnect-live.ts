import { type BroadcastDeps, broadcastLive } from './broadcast-live.js';
import { agentStillViews } from './handle-live-frame.js';

/**
 * A socket closed: forgotten; the others told that its agent left the conversation it viewed
 * (unless another socket of the agent still views it), and that
 * the agent is `offline` when it was their last socket. A second close of the same socket does nothing.
 */
export async function disconnectLive(deps: BroadcastDeps, connectionId: string): Promise<void> {
  const gone = await deps.connections.remove(connectionId);
  if (!gone) return;
  const others = await deps.connections.list();
  await broadcastLive(
    deps,
    [
      ...(gone.viewing && !agentStillViews(others, gone.agentId, gone.viewing, connectionId)
        ? [
            {
              type: 'viewing' as const,
              conversationId: gone.viewing,
              item: { agentId: gone.agentId, viewing: false },
            },
          ]
        : []),
      ...(others.some((c) => c.agentId === gone.agentId)
        ? []
        : [{ type: 'presence' as const, item: { agentId: gone.agentId, presence: 'offline' as const } }]),
    ],
    { to: others },
  );
}
