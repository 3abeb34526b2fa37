import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { ReplyRequest } from '#shared/domain/replies.js';
import { checkReplyLength } from '#shared/domain/reply-length.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { replyChannelOf } from '#shared/domain/webchat/attachments.js';
import { NotFoundError } from '#shared/errors.js';
import { type ReplyDeps, recipientOf, sendReply } from './send-reply.js';

/** What an agent's reply needs: the reply service, and the conversation read and assignment. */
export interface ReplyAsAgentDeps {
  replies: ReplyDeps;
  store: Pick<AgentStore, 'getConversation'>;
  admin: Pick<AgentAdmin, 'assign'>;
}

/**
 * An agent's reply (see `sendReply`). When the conversation is open and nobody has it, the agent who
 * answers takes it first (the console then shows the reply in the conversation as it now stands), so it
 * leaves the unassigned inbox and counts in their load. The assignment is conditional (still open,
 * still nobody's): it never takes a conversation from another agent, and of two agents replying at
 * once one owns it. A reply the channel's rules refuse leaves it with the agent who tried; one refused
 * for its customer (gone, being erased) or for its length (`text_too_long`) writes nothing. The conversation is read once, for both. Its `Idempotency-Key` sent again with another
 * request is 422 `idempotency_key_reused` (see `sendReply`).
 */
export async function replyAsAgent(
  deps: ReplyAsAgentDeps,
  input: {
    conversationId: string;
    request: ReplyRequest;
    agentId: string;
    idempotencyKey?: string | undefined;
  },
): Promise<{ item: TimelineItem; created: boolean }> {
  const conversation = await deps.store.getConversation(input.conversationId);
  if (!conversation) throw new NotFoundError(`no conversation ${input.conversationId}`);
  // Its customer before anything is written: a reply to one gone or being erased (404, 410) writes
  // nothing, the assignment included. The reply takes this read; it does not read them again.
  const recipient = await recipientOf(deps.replies.store, conversation);
  // A text the channel cannot carry is the request's fault: refused before the assignment too.
  const { customer } = recipient;
  checkReplyLength(replyChannelOf(customer, input.request), input.request.text, customer);
  if (conversation.status === 'open' && conversation.assignee === undefined) {
    const now = deps.replies.clock.now().toISOString();
    const eventId = `assigned:${input.conversationId}:reply:${input.idempotencyKey ?? now}`;
    const options = { ifUnassigned: true };
    await deps.admin.assign(
      input.conversationId,
      { agentId: input.agentId },
      input.agentId,
      now,
      eventId,
      options,
    );
  }
  return sendReply(deps.replies, { ...input, keyFromCaller: true, recipient });
}
