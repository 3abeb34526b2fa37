import { CONSOLE_GRACE_MS, type ConsoleLeases } from '#shared/domain/live/console-presence.js';
import type { Clock } from '#shared/domain/ports.js';
import { type BroadcastDeps, broadcastLive } from './broadcast-live.js';
import { tellLeft } from './tell-left.js';

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
  const viewed = gone.viewing
    ? { agentId: gone.agentId, conversationId: gone.viewing, connectionId }
    : undefined;
  const left = viewed && tellLeft(others, viewed);
  await broadcastLive(
    deps,
    [
      ...(left?.frames ?? []),
      ...(last
        ? [{ type: 'presence' as const, item: { agentId: gone.agentId, presence: 'offline' as const } }]
        : []),
    ],
    { to: others },
  );
  await left?.after(deps);
}
