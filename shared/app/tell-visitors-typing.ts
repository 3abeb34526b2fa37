import type { Conversation } from '../domain/timeline.js';
import type { VisitorConnections, VisitorPush } from '../domain/webchat/live-ports.js';
import { agentTypingFrame } from '../domain/webchat/visitor-view.js';

/** What passing an agent's typing on to visitors needs: their connections and the conversation. */
export interface VisitorTypingDeps {
  connections: Pick<VisitorConnections, 'following'>;
  push: VisitorPush;
  getConversation(conversationId: string): Promise<Conversation | undefined>;
}

/**
 * Passes an agent's `typing` on a web-chat conversation to the visitors following its customer, as
 * `{type:"typing", by:"agent"}` only: never the agent's id or name. A conversation the customer last
 * wrote on another channel (their email thread) shows nothing in the chat. One read per frame.
 */
export async function tellVisitorsTyping(deps: VisitorTypingDeps, conversationId: string): Promise<number> {
  const conversation = await deps.getConversation(conversationId);
  if (conversation?.channel !== 'webchat') return 0;
  const frame = agentTypingFrame(conversation.id);
  let sent = 0;
  for (const id of await deps.connections.following(conversation.customerId)) {
    if ((await deps.push.push(id, [frame])) === 'gone') await deps.push.drop(id);
    else sent++;
  }
  return sent;
}
