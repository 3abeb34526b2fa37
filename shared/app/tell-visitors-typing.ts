import { identityToken } from '../domain/identity.js';
import { isUnverifiedVisitor } from '../domain/webchat/anonymous-view.js';
import type { VisitorConnections, VisitorPush, VisitorReads } from '../domain/webchat/live-ports.js';
import { agentTypingFrame } from '../domain/webchat/visitor-view.js';

/** What passing an agent's typing on to visitors needs: their connections, the conversation and its latest chat message. */
export interface VisitorTypingDeps extends Pick<VisitorReads, 'getConversation' | 'lastInbound'> {
  connections: Pick<VisitorConnections, 'following' | 'ofIdentity'>;
  push: VisitorPush;
}

/**
 * Passes an agent's `typing` on a web-chat conversation to the visitor their reply will go to (the
 * writer of the conversation's latest web-chat message, as replyDestination answers): an anonymous
 * visitor's own connections, or the verified visitors following its customer; as
 * `{type:"typing", by:"agent"}` only, never the agent's id or name. So a session sees typing only in a
 * conversation it may see (sessionView): before, the verified visitors of a customer merged with a
 * stranger's saw "An agent is typing…" while the agent answered the stranger. A conversation the
 * customer last wrote on another channel (their email thread), or whose latest web-chat message is
 * not found, shows nothing in the chat. One read and two Queries per frame (the conversation, its
 * latest web-chat message, the followers).
 */
export async function tellVisitorsTyping(deps: VisitorTypingDeps, conversationId: string): Promise<number> {
  const conversation = await deps.getConversation(conversationId);
  if (conversation?.channel !== 'webchat') return 0;
  const latest = await deps.lastInbound(conversation.customerId, 'webchat', conversation.id);
  if (!latest?.from) return 0;
  const following = isUnverifiedVisitor(latest.from)
    ? await deps.connections.ofIdentity(identityToken(latest.from))
    : await deps.connections.following(conversation.customerId);
  const frame = agentTypingFrame(conversation.id);
  let sent = 0;
  for (const id of new Set(following)) {
    if ((await deps.push.push(id, [frame])) === 'gone') await deps.push.drop(id);
    else sent++;
  }
  return sent;
}
