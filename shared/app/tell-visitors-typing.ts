import { identityToken } from '../domain/identity.js';
import { anonymousConversationId, isUnverifiedVisitor } from '../domain/webchat/anonymous-view.js';
import type { VisitorConnections, VisitorPush, VisitorReads } from '../domain/webchat/live-ports.js';
import { agentTypingFrame } from '../domain/webchat/visitor-view.js';
import { ConflictError, GoneError, NotFoundError, UnprocessableError } from '../errors.js';
import { defaultChatReplyTo } from './reply-destination.js';
import { recipientOf } from './send-reply.js';

/** What passing an agent's typing on to visitors needs: their connections, the conversation and its latest chat message. */
export interface VisitorTypingDeps
  extends Pick<VisitorReads, 'getConversation' | 'lastInbound' | 'mergedCustomers'> {
  connections: Pick<VisitorConnections, 'following' | 'ofIdentity'>;
  push: VisitorPush;
}

/**
 * Passes an agent's `typing` on a web-chat conversation to the visitor their reply naming no channel
 * will go to, as the reply itself finds them (defaultChatReplyTo: the customer's default channel, the
 * writer of the conversation's latest web-chat message in any merged partition, and none when that
 * reply gives way to another channel from a visitor nobody vouched for, merged in on an email they
 * typed): an anonymous visitor's own connections, or the verified
 * visitors following its customer; as `{type:"typing", by:"agent"}` only, never the agent's id or
 * name. So a session sees typing only in a conversation it may see (sessionView). Before, the typing
 * read only the conversation's customer's partition: after a merge, a stranger merged in who wrote
 * last got the reply but the customer's verified visitors got the typing. A conversation on another
 * channel (their email thread), or whose reply could go nowhere (no web-chat identity, an erased
 * customer), shows nothing in the chat. The reads of a reply's address (the conversation, the
 * merged profiles, one Query per merged partition) and one follower Query per frame.
 */
export async function tellVisitorsTyping(deps: VisitorTypingDeps, conversationId: string): Promise<number> {
  const conversation = await deps.getConversation(conversationId);
  if (conversation?.channel !== 'webchat') return 0;
  const to = await recipientOf(deps, conversation)
    .then((recipient) => defaultChatReplyTo(deps, recipient, conversation.id))
    .catch(nowhere);
  if (!to) return 0;
  const anonymous = isUnverifiedVisitor(to);
  const following = anonymous
    ? await deps.connections.ofIdentity(identityToken(to))
    : await deps.connections.following(conversation.customerId);
  const frame = agentTypingFrame(anonymous ? anonymousConversationId(conversation.id) : conversation.id);
  let sent = 0;
  for (const id of new Set(following)) {
    if ((await deps.push.push(id, [frame])) === 'gone') await deps.push.drop(id);
    else sent++;
  }
  return sent;
}

/**
 * A reply that could go nowhere (no customer, an erased one, no web-chat identity, none that wrote in
 * the conversation: `webchat_not_available`): no typing; the rest is thrown.
 */
function nowhere(error: unknown): undefined {
  const refused = error instanceof ConflictError && error.code === 'webchat_not_available';
  if (
    refused ||
    error instanceof NotFoundError ||
    error instanceof GoneError ||
    error instanceof UnprocessableError
  ) {
    return undefined;
  }
  throw error;
}
