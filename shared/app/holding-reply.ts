import { AUTOMATION_AUTHOR_ID } from '../domain/automation-ports.js';
import type { Channel } from '../domain/envelope.js';
import type { RouteDecision, RouteReason } from '../domain/routing/decision.js';
import { handoffText, type RoutingPolicy } from '../domain/routing/policy.js';
import { type Recipient, type ReplyDeps, sendReply } from './send-reply.js';

/** A person has the conversation, or the customer was told when it was handed off: nothing to say. */
const TOLD_ALREADY: ReadonlySet<RouteReason> = new Set(['human_took_over', 'awaiting_human']);

/** The hand-off that routing has just made and recorded, and whom to tell. */
export interface HandedOff {
  decision: RouteDecision;
  itemId: string;
  channel: Channel;
  recipient: Recipient;
}

/**
 * Tells the customer their message went to a person, in the policy's words (`aiReplies.handoff`, or
 * `handoffAfterHours` when the queue is closed; those of `byLanguage` for the `language` the AI
 * detected, or routing did before the AI read the message, when the policy has them), once per
 * hand-off: not while a person has the conversation or it already waits for one, not to a caller.
 * Sent as an automation's message, so it ends no wait and meets no response target. Best effort,
 * after the decision is recorded: a refusal (WhatsApp's window, STOP) or a failure sends nothing and
 * is logged.
 */
export async function sendHoldingReply(
  deps: {
    replies: ReplyDeps;
    policy: RoutingPolicy;
    log?: (level: 'warn', m: string, f: Record<string, unknown>) => void;
  },
  { decision, itemId, channel, recipient }: HandedOff,
  language?: string,
): Promise<void> {
  const text = handoffText(deps.policy.aiReplies, decision.afterHours, language);
  if (!text || TOLD_ALREADY.has(decision.reason) || channel === 'voice') return;
  try {
    await sendReply(deps.replies, {
      conversationId: recipient.conversationId,
      request: { text, attachments: [] },
      agentId: AUTOMATION_AUTHOR_ID,
      author: { kind: 'ai', id: AUTOMATION_AUTHOR_ID },
      // One per handed-off message, however often it is delivered.
      idempotencyKey: `handoff:${itemId}`,
      recipient,
    });
  } catch (error) {
    deps.log?.('warn', 'hand-off message not sent', {
      conversationId: recipient.conversationId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
