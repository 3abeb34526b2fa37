import type { ResponderContext, ResponderResult } from '../responder.js';
import { authorKind, conversationOf } from '../timeline.js';
import type { RoutingPolicy } from './policy.js';

/**
 * The AI's answer with the policy's `aiReplies.disclosure` after it, when the recent items show no
 * earlier AI answer in the conversation (a conversation longer than the recent items may be told
 * again, never not at all); as it is without a disclosure, an answer or with a hand-off.
 */
export function withAiDisclosure(
  policy: RoutingPolicy,
  context: ResponderContext,
  conversationId: string,
  result: ResponderResult,
): ResponderResult {
  const disclosure = policy.aiReplies?.disclosure;
  if (!disclosure || !result.reply || result.handoff) return result;
  const answeredBefore = context.timeline.some(
    (item) =>
      item.type === 'message' &&
      item.direction === 'outbound' &&
      authorKind(item) === 'ai' &&
      conversationOf(item) === conversationId,
  );
  return answeredBefore ? result : { ...result, reply: `${result.reply}\n\n${disclosure}` };
}
