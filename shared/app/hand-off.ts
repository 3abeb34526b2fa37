import { buildHandoffSummary, sentWithLine } from '../domain/handoff-summary.js';
import { placedReplyAt } from '../domain/replies.js';
import { type ResponderResult, viewConversation } from '../domain/responder.js';
import type { RouterAdmin, RouterStore } from '../domain/router-ports.js';
import type { RouteDecision } from '../domain/routing/decision.js';
import { lastHelpedBy } from '../domain/routing/facts.js';
import type { RoutingPolicy } from '../domain/routing/policy.js';
import { AI_AUTHOR_ID, handoffNoteId } from '../domain/routing/routable.js';
import { shortened } from '../domain/text-cut.js';
import { claimAgent } from './claim-agent.js';
import type { Routing } from './read-routing.js';

/** Of an AI answer that was not sent, what the hand-off note quotes. */
const HELD_BACK_CHARS = 500;

/**
 * The AI's answer routing held back (under the policy's threshold, refused by the channel, too long
 * for it), for the agent to start from; nothing when the AI handed off itself (its reply is then a
 * holding message) or gave no answer.
 */
function heldBackAnswer(result: ResponderResult | undefined): string {
  if (!result?.reply || result.handoff) return '';
  const text = shortened(result.reply, HELD_BACK_CHARS);
  const from = result.sources?.length ? ` (from ${result.sources.join(', ')})` : '';
  return `\nThe AI's answer, not sent${from}: "${text}"`;
}

/**
 * Takes the hand-off for the routed item: one conditional write of the conversation's escalation, made
 * only while it is as routing read it (none yet, or the earlier one a `queue_removed` hand-off routes
 * anew) or is this item's already. So of messages routed at once (a burst from the customer), one hands
 * off and the others find the conversation handed off: false, and they wait with it (a question sent
 * with a photo that took it is still answered: the photo's time is kept, `handedOffBeside`). A redelivery of the
 * item that took it, after a crash, takes it again and completes the hand-off. No read is added.
 */
export function takeHandOff(
  store: Pick<RouterStore, 'markEscalated'>,
  routing: Routing,
  queue: string,
): Promise<boolean> {
  const { conversationId, item, now, state } = routing;
  const mediaOnly = routing.base.message.kind === 'message' && !item.text?.trim();
  return store.markEscalated(conversationId, {
    at: now.toISOString(),
    itemId: item.id,
    queue,
    seen: state.escalatedItemId,
    ...(mediaOnly ? { mediaAt: item.at } : {}),
  });
}

/**
 * Hands off (once `takeHandOff` took it): a summary note for the agent, then an assignment to an agent
 * (a slot claimed on their item first: `claimAgent`) or the queue. Both are placed right after the item (as the AI's reply
 * would be) and keyed on it, not on the clock: two deliveries of the message at once, or one after a
 * crash, write one note, and the assignment is made once for the item (`assignRouted`), so they cannot
 * give it to two agents. `language` (the AI's, else the one routing found) goes in the note and picks
 * an agent who speaks it. Answers the agent it has.
 */
export async function handOff(
  deps: { store: RouterStore; admin: RouterAdmin; policy: RoutingPolicy },
  routing: Routing,
  decision: RouteDecision,
  result: ResponderResult | undefined,
  language: string | undefined,
): Promise<string | undefined> {
  const { context, conversationId, decisionId, now, item } = routing;
  const at = placedReplyAt(item.at);
  const view = viewConversation(context);
  const summary =
    result?.handoff?.summary ??
    buildHandoffSummary(context, view, {
      sentiment: result?.sentiment,
      language,
    });
  // The messages sent with it that the summary does not quote (a question with the photo handed off).
  const sentWith = sentWithLine(routing.recent, view, item, conversationId);
  await deps.admin.addNote(
    conversationId,
    `Hand-off (${decision.reason}): ${decision.detail}.\n${summary}${sentWith ? `\n${sentWith}` : ''}${heldBackAnswer(result)}`,
    AI_AUTHOR_ID,
    at,
    handoffNoteId(item.id),
    'ai',
  );
  const { profiles } = routing;
  const { choice, holders } = await claimAgent(deps.store, conversationId, {
    conversation: { queue: decision.queue, language },
    lastHelpedBy: lastHelpedBy(profiles.length ? profiles : [routing.customer]),
    stickyDays: deps.policy.stickyAgentDays,
    now,
  });
  const eventId = `assigned:${conversationId}:${decisionId}`;
  const change = { by: AI_AUTHOR_ID, now: at, eventId, routed: `${item.at}#${item.id}`, release: holders };
  if ('agentId' in choice) {
    const target = { agentId: choice.agentId, queue: decision.queue };
    return (await deps.admin.assignRouted(conversationId, target, change))?.agentId;
  }
  // Handed on from its agent for a new language (`handingOn`) with no one to take it: the queue has it.
  if (routing.conversation.queue !== decision.queue || holders.length || routing.handingOn) {
    const target = { queue: decision.queue, ...(routing.handingOn ? { agentId: '' } : {}) };
    await deps.admin.assignRouted(conversationId, target, change);
  }
  return undefined;
}
