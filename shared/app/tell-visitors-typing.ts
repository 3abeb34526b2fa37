import type { Conversation } from '../domain/timeline.js';
import { conversationSubject } from '../domain/webchat/anonymous-view.js';
import type { VisitorConnections, VisitorPush } from '../domain/webchat/live-ports.js';
import { agentTypingFrame } from '../domain/webchat/visitor-view.js';

/** What passing an agent's typing on to visitors needs: their connections and the conversation. */
export interface VisitorTypingDeps {
  connections: Pick<VisitorConnections, 'following'>;
  push: VisitorPush;
  getConversation(conversationId: string): Promise<Conversation | undefined>;
}

/**
 * Passes an agent's `typing` on a web-chat conversation to the visitors following its customer (and
 * the anonymous visitors following the conversation itself), as
 * `{type:"typing", by:"agent"}` only: never the agent's id or name. A conversation the customer last
 * wrote on another channel (their email thread) shows nothing in the chat. One read per frame, and
 * two Queries on AWS (the customer's followers, the conversation's).
 */
export async function tellVisitorsTyping(deps: VisitorTypingDeps, conversationId: string): Promise<number> {
  const conversation = await deps.getConversation(conversationId);
  if (conversation?.channel !== 'webchat') return 0;
  const frame = agentTypingFrame(conversation.id);
  let sent = 0;
  const following = [
    ...(await deps.connections.following(conversation.customerId)),
    ...(await deps.connections.following(conversationSubject(conversation.id))),
  ];
  for (const id of new Set(following)) {
    if ((await deps.push.push(id, [frame])) === 'gone') await deps.push.drop(id);
    else sent++;
  }
  return sent;
}
