import type { ServerFrame } from '#shared/domain/live/events.js';
import type { LiveConnection } from '#shared/domain/live/live-ports.js';
import { type BroadcastDeps, broadcastLive } from './broadcast-live.js';

/** What the other sockets are told when an agent comes to view a conversation, or leaves it. */
export const viewingFrame = (agentId: string, conversationId: string, viewing: boolean): ServerFrame => ({
  type: 'viewing',
  conversationId,
  item: { agentId, viewing },
});

/**
 * Whether another socket of the agent (a second tab) still views the conversation: the others are told
 * the agent left only when the last one leaves, since the console keeps who views what by agent.
 */
export function agentStillViews(
  open: readonly LiveConnection[],
  agentId: string,
  conversationId: string,
  except: string,
): boolean {
  return open.some((c) => c.connectionId !== except && c.agentId === agentId && c.viewing === conversationId);
}

/**
 * Telling the others an agent left a conversation, in two steps around the broadcast that carries it:
 * `frames` is `viewing: false` unless another socket of the agent (not `except`) views it in `open`;
 * `after` (once that broadcast went) says again that the agent views it when a socket of theirs came to
 * view it meanwhile: a reload's new page, or another tab's `viewing`, that passed while the leaving
 * socket read the list. Without it, the `left` landing last had the others show them gone until the
 * agent moved. One more read of the sockets, only when someone was said to leave. Used by a socket's
 * close (disconnectLive) and by its `left` and `viewing` frames (handleLiveFrame), locally and on AWS.
 */
export function tellLeft(
  open: readonly LiveConnection[],
  leaving: { agentId: string; conversationId: string; connectionId: string },
) {
  const { agentId, conversationId, connectionId } = leaving;
  const left = !agentStillViews(open, agentId, conversationId, connectionId);
  return {
    frames: left ? [viewingFrame(agentId, conversationId, false)] : ([] as ServerFrame[]),
    async after(deps: BroadcastDeps): Promise<void> {
      if (!left) return;
      const now = await deps.connections.list();
      if (!agentStillViews(now, agentId, conversationId, connectionId)) return;
      await broadcastLive(deps, [viewingFrame(agentId, conversationId, true)], { to: now });
    },
  };
}
