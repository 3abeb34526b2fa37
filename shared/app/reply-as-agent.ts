import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import { type ReplyRequest, replyIdFor } from '#shared/domain/replies.js';
import { checkReachable } from '#shared/domain/reply-channel.js';
import { checkReplyContent } from '#shared/domain/reply-content.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { checkTemplate } from '#shared/domain/whatsapp-template.js';
import { ConflictError, NotFoundError } from '#shared/errors.js';
import { checkReplyUploads, type ReplyUploadsDeps } from './check-reply-uploads.js';
import { type ReplyDeps, recipientOf, replyChannelFor, sendReply } from './send-reply.js';

/**
 * What an agent's reply needs: the reply service, the conversation read and assignment, and the
 * uploads its attachments may link to (`checkReplyUploads`).
 */
export interface ReplyAsAgentDeps {
  replies: ReplyDeps;
  store: Pick<AgentStore, 'getConversation'> & ReplyUploadsDeps['store'];
  admin: Pick<AgentAdmin, 'assign'>;
  uploads?: ReplyUploadsDeps['uploads'];
}

/** The reply's request and who sends it, as `claimForReply` needs them. */
interface ClaimInput {
  conversationId: string;
  agentId: string;
  expectedAssignee?: string | undefined;
  idempotencyKey?: string | undefined;
}

/**
 * The holder an agent's reply to an open conversation goes out under: nobody's, it becomes the
 * replier's first (a conditional write: still open, still nobody's, so of two agents replying at once
 * one takes it) unless `expectedAssignee` is `""` (they saw nobody: it stays nobody's); the replier's
 * own, or the one `expectedAssignee` names, as it stands. Another agent's
 * (read again strongly before refusing) is refused 409 `assignee_changed`, nothing written, unless this
 * request's `Idempotency-Key` stored its reply before (a retry after the conversation changed hands).
 */
async function claimForReply(deps: ReplyAsAgentDeps, conversation: Conversation, input: ClaimInput) {
  if (conversation.status !== 'open') return;
  const { conversationId, agentId, idempotencyKey } = input;
  const expected = input.expectedAssignee === 'me' ? agentId : input.expectedAssignee;
  const allowed = (holder: string | undefined) => holder === agentId || holder === expected;
  if (conversation.assignee === undefined) {
    // The caller saw nobody holding it and says so: the reply goes out beside the queue, taking nothing
    // (a bot's acknowledgement that leaves the conversation to the people in its queue).
    if (input.expectedAssignee === '') return;
    const now = deps.replies.clock.now().toISOString();
    const eventId = `assigned:${conversationId}:reply:${idempotencyKey ?? now}`;
    const target = { agentId };
    const taken = await deps.admin.assign(conversationId, target, agentId, now, eventId, {
      ifUnassigned: true,
    });
    if (taken !== false) return;
  } else if (allowed(conversation.assignee)) return;
  const current = await deps.store.getConversation(conversationId, { consistent: true });
  const holder = current?.status === 'open' ? current.assignee : undefined;
  if (holder === undefined || allowed(holder)) return;
  const replyId = idempotencyKey && replyIdFor(conversationId, agentId, idempotencyKey);
  if (replyId && (await deps.replies.store.hasReply(replyId))) return;
  throw new ConflictError(
    `${holder} has this conversation: your reply was not sent (send it with "expectedAssignee": "${holder}" to reply beside them, or assign it to yourself first)`,
    'assignee_changed',
  );
}

/**
 * An agent's reply (see `sendReply`). When the conversation is open and nobody has it, the agent who
 * answers takes it first (the console then shows the reply in the conversation as it now stands), so it
 * leaves the unassigned inbox and counts in their load; one another agent has is refused unless the
 * request names them (see `claimForReply`), so two agents never answer one customer unawares. A reply
 * the channel's rules refuse leaves it with the agent who tried; one refused for its customer (gone,
 * being erased), for its length (`text_too_long`) or for content its channel cannot carry
 * (`content_not_supported`), or a WhatsApp template Meta would refuse (`template_invalid`) writes nothing. The conversation is read once, for
 * both. Its `Idempotency-Key` sent again with another request is 422 `idempotency_key_reused` (see
 * `sendReply`); `expectedAssignee` is no part of the request the key is kept with.
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
  const { expectedAssignee, ...request } = input.request;
  // A template Meta would refuse after the 202 (a name or language it has not, an empty parameter).
  checkTemplate(request.template);
  // An uploaded file goes only to its customer (or one merged into them), and only from its agent.
  const customers = [conversation.customerId, ...recipient.partitions];
  const uploads = {
    agentId: input.agentId,
    conversationId: conversation.id,
    attachments: request.attachments,
  };
  await checkReplyUploads(deps, uploads, customers);
  const channel = replyChannelFor(recipient, request);
  checkReplyContent(channel, request);
  // Only where the channels route offers: never a first text to someone who wrote on WhatsApp alone.
  checkReachable(recipient.customer, channel, recipient.profiles);
  await claimForReply(deps, conversation, { ...input, expectedAssignee });
  return sendReply(deps.replies, { ...input, request, keyFromCaller: true, recipient });
}
