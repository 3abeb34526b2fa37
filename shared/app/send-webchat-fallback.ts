import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { isRefusal, replyItemId } from '../domain/replies.js';
import type { Conversation } from '../domain/timeline.js';
import type { Timer } from '../domain/timer-ports.js';
import {
  FALLBACK_READ_ITEMS,
  fallbackDecision,
  fallbackEmail,
  WEBCHAT_FALLBACK_EVENT,
} from '../domain/webchat/email-fallback.js';
import { sendReply } from './send-reply.js';

/** The `webchat_email_fallback` event: keyed on the newest reply the email covers, so it is written once. */
async function recordFallback(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
  fallback: { key: string; data: Record<string, unknown> },
): Promise<void> {
  await deps.store.putTimelineItem(
    {
      id: `${WEBCHAT_FALLBACK_EVENT}:${fallback.key}`,
      type: 'event',
      event: WEBCHAT_FALLBACK_EVENT,
      at: timer.dueAt,
      channel: 'email',
      customerId: conversation.customerId,
      conversationId: conversation.id,
      data: fallback.data,
    },
    undefined,
  );
}

/** WEBCHAT_EMAIL_FALLBACK_DELAY=off (no delay): a timer a reply armed before the switch sends nothing either. */
function fallbackOff(deps: ConversationClockDeps, conversation: Conversation): boolean {
  if (deps.webchatFallbackMs !== undefined) return false;
  deps.log?.('info', 'web-chat email fallback off', { conversationId: conversation.id });
  return true;
}

/**
 * Sends an unread web-chat reply by email when its fallback timer fires: only while the visitor has not
 * read it and the customer has a verified email, together with every other unread reply of the
 * conversation no earlier fallback covered (fallbackEmail: one email, not one per chat line; the other
 * replies' timers then find theirs covered). It goes through the reply path (its rules, the outbound
 * queue) keyed on the newest reply it covers, so timers that fire twice, late or together send one
 * email, and a `webchat_email_fallback` event (`data.replyIds`) says so (or why it could not go).
 * With the fallback off (no `webchatFallbackMs`) it sends nothing, whenever its timer was armed.
 * Reads the reply, the profiles and the customer's newest FALLBACK_READ_ITEMS items.
 */
export async function sendWebchatFallback(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
): Promise<boolean> {
  const replies = deps.automations;
  if (!replies || !timer.detail || fallbackOff(deps, conversation)) return false;
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
  if (!customer || !reply) return false;
  const items = await replies.recentTimeline(partitions, FALLBACK_READ_ITEMS);
  const email = fallbackEmail({
    items,
    reply,
    conversationId: conversation.id,
    now: timer.dueAt > deps.clock.now().toISOString() ? timer.dueAt : deps.clock.now().toISOString(),
    business: deps.webchatBusinessName,
    allowedOrigins: deps.webchatAllowedOrigins,
  });
  if (!email) {
    deps.log?.('info', 'web-chat email fallback not needed', {
      conversationId: conversation.id,
      reason: 'covered',
    });
    return false;
  }
  const data: Record<string, unknown> = {
    conversationId: conversation.id,
    replyId: email.key,
    replyIds: email.replyIds,
  };
  try {
    const { item } = await sendReply(
      { ...replies.replies, track: undefined },
      {
        conversationId: conversation.id,
        request: { channel: 'email', text: email.text, attachments: [] },
        agentId: decision.send.author.id,
        // Marked: the visitor's chat leaves it out, the console says it was automatic.
        author: { ...decision.send.author, automatic: 'webchat_email_fallback' },
        idempotencyKey: `webchat_fallback:${email.key}`,
        subject: email.subject,
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
  await recordFallback(deps, conversation, timer, { key: email.key, data });
  return true;
}
