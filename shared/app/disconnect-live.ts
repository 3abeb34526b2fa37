import { CONSOLE_GRACE_MS, type ConsoleLeases } from '#shared/domain/live/console-presence.js';
import type { Clock } from '#shared/domain/ports.js';
import { type BroadcastDeps, broadcastLive } from './broadcast-live.js';
import { agentStillViews, viewingFrame } from './handle-live-frame.js';

/**
 * A socket closed: forgotten; the others told that its agent left the conversation it viewed
 * (unless another socket of the agent still views it), and that
 * the agent is `offline` when it was their last socket, whose close also ends their console lease after
 * the grace (routing then passes them over). A second close of the same socket does nothing.
 */
export async function disconnectLive(
  deps: BroadcastDeps & { leases?: Pick<ConsoleLeases, 'left'> | undefined; clock?: Clock | undefined },
  connectionId: string,
): Promise<void> {
  const gone = await deps.connections.remove(connectionId);
  if (!gone) return;
  const others = await deps.connections.list();
  const last = !others.some((c) => c.agentId === gone.agentId);
  if (last && deps.leases && deps.clock) {
    const until = deps.clock.now().getTime() + CONSOLE_GRACE_MS;
    await deps.leases.left(gone.agentId, connectionId, until);
  }
  const left = gone.viewing && !agentStillViews(others, gone.agentId, gone.viewing, connectionId);
  await broadcastLive(
    deps,
    [
      ...(left ? [viewingFrame(gone.agentId, gone.viewing as string, false)] : []),
      ...(last
        ? [{ type: 'presence' as const, item: { agentId: gone.agentId, presence: 'offline' as const } }]
        : []),
    ],
    { to: others },
  );
  if (left) await reannounceViewer(deps, gone.agentId, gone.viewing as string);
}

/**
 * After telling the others the agent left a conversation: if a socket of theirs has come to view it
 * meanwhile (a reload: the new page's `viewing` passed while the old socket's close read the list),
 * say so again, after. Without it, the `left` landing last had the others show them gone until the
 * agent moved. One more read of the sockets, only when a close said someone left.
 */
async function reannounceViewer(deps: BroadcastDeps, agentId: string, conversationId: string): Promise<void> {
  const now = await deps.connections.list();
  if (!agentStillViews(now, agentId, conversationId, '')) return;
  await broadcastLive(deps, [viewingFrame(agentId, conversationId, true)], { to: now });
}
