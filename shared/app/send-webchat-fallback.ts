import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { isRefusal, replyItemId } from '../domain/replies.js';
import type { Conversation } from '../domain/timeline.js';
import type { Timer } from '../domain/timer-ports.js';
import { fallbackDecision, WEBCHAT_FALLBACK_EVENT } from '../domain/webchat/email-fallback.js';
import { sendReply } from './send-reply.js';

/**
 * Sends an unread web-chat reply by email when its fallback timer fires: only while the visitor has not
 * read it and the customer has a verified email. It goes through the reply path (its rules, the outbound
 * queue) keyed on the reply, so a timer that fires twice sends one email, and a `webchat_email_fallback`
 * event on the timeline says so (or why it could not go). A read reply or an unverified visitor: stale.
 */
export async function sendWebchatFallback(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
): Promise<boolean> {
  const replies = deps.automations;
  if (!replies || !timer.detail) return false;
  const replyId = timer.version;
  const { partitions, customers: profiles } = await replies.replies.store.mergedCustomers(
    conversation.customerId,
  );
  let reply: Awaited<ReturnType<typeof replies.getTimelineItem>>;
  for (const partition of partitions) {
    reply ??= await replies.getTimelineItem(partition, timer.detail, replyItemId(replyId));
  }
  const decision = fallbackDecision(reply, replyId, profiles);
  if ('stale' in decision) {
    deps.log?.('info', 'web-chat email fallback not needed', {
      conversationId: conversation.id,
      reason: decision.stale,
    });
    return false;
  }
  const root = partitions[0] ?? conversation.customerId;
  const customer = profiles.find((c) => c.id === root);
  if (!customer) return false;
  const data: Record<string, unknown> = { conversationId: conversation.id, replyId };
  try {
    const { item } = await sendReply(
      { ...replies.replies, track: undefined },
      {
        conversationId: conversation.id,
        request: { channel: 'email', text: decision.send.text, attachments: [] },
        agentId: decision.send.author.id,
        author: decision.send.author,
        idempotencyKey: `webchat_fallback:${replyId}`,
        recipient: {
          conversationId: conversation.id,
          root,
          customer,
          partitions,
          profiles,
          firstResponded: true,
        },
      },
    );
    data.emailReplyId = item.id;
  } catch (error) {
    if (!isRefusal(error)) throw error;
    data.refused = error.code;
  }
  await deps.store.putTimelineItem(
    {
      id: `${WEBCHAT_FALLBACK_EVENT}:${replyId}`,
      type: 'event',
      event: WEBCHAT_FALLBACK_EVENT,
      at: timer.dueAt,
      channel: 'email',
      customerId: conversation.customerId,
      conversationId: conversation.id,
      data,
    },
    undefined,
  );
  return true;
}
