import type { ConversationClockDeps } from '../domain/clock-ports.js';
import type { Conversation } from '../domain/timeline.js';
import type { Timer } from '../domain/timer-ports.js';
import { trackConversationClock } from './track-conversation-clock.js';

/**
 * A missed call settled (`missed_call` timer, `missedCallTimer`): whatever its recording did meanwhile,
 * the conversation waits for a call-back from the call's end (`timer.detail`), in the waiting inbox,
 * marked `missedCallAt`, unless an answer came at or after the call or a resolve after it. A voicemail
 * that holds words made it wait already: that wait stays the one wait (marked), as does an earlier
 * message's. A wait it started (or the reopen of a conversation resolved before the call) is told to
 * the clock as the customer's word at the call: the first-response target runs from it, and a reply
 * ends it. Firing twice or late: the writes' conditions fail (an answer or a wait since), and the clock
 * hears it again only for a wait it still holds at the call's time, which it repeats nothing for.
 */
export async function settleMissedCall(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
): Promise<boolean> {
  const at = timer.detail;
  if (!at || !deps.store.waitForMissedCall) return false;
  const outcome = await deps.store.waitForMissedCall(conversation, at);
  deps.log?.('info', 'missed call settled', { conversationId: conversation.id, outcome });
  if (outcome === 'answered') return false;
  if (outcome === 'marked') return true;
  await trackConversationClock(deps, {
    type: 'inbound',
    conversationId: conversation.id,
    at,
    ...(outcome === 'reopened' ? { reopened: true } : {}),
  });
  return true;
}
