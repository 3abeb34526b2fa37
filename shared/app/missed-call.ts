import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { DEFAULT_REOPEN_WINDOW_MS } from '../domain/conversation.js';
import type { Conversation } from '../domain/timeline.js';
import type { Timer } from '../domain/timer-ports.js';
import { trackConversationClock } from './track-conversation-clock.js';

/**
 * A missed call settled (`missed_call` timer, `missedCallTimer`): whatever its recording did meanwhile,
 * the conversation a message of the caller's would go to (`missedCallPlace`: the open one, whichever it
 * is now; else the one it was filed beside, resolved before the call, reopened within the reopen window;
 * else a new one) waits for a call-back from the call's end (`timer.detail`), in the waiting inbox,
 * marked `missedCallAt`, unless an answer came at or after the call or a resolve after it. A voicemail
 * that holds words made it wait already: that wait stays the one wait (marked), as does an earlier
 * message's. A wait it started (or the reopen, or the new conversation) is told to the clock as the
 * customer's word at the call: the first-response target runs from it, and a reply ends it. Firing twice or late: the writes' conditions fail (an answer or a wait since), and the clock
 * hears it again only for a wait it still holds at the call's time, which it repeats nothing for.
 */
export async function settleMissedCall(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
): Promise<boolean> {
  const at = timer.detail;
  if (!at || !deps.store.waitForMissedCall) return false;
  const window = deps.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS;
  const { outcome, conversationId } = await deps.store.waitForMissedCall(conversation, at, window);
  deps.log?.('info', 'missed call settled', { conversationId, filedBeside: conversation.id, outcome });
  if (outcome === 'answered') return false;
  if (outcome === 'marked') return true;
  await trackConversationClock(deps, {
    type: 'inbound',
    conversationId,
    at,
    ...(outcome === 'reopened' ? { reopened: true } : {}),
  });
  return true;
}
