import type { Channel } from '../envelope.js';
import { metricsCredit } from '../metrics-credit.js';
import type { Conversation } from '../timeline.js';
import { type SlaOutcome, slaOutcomes, slaUndone } from './outcomes.js';
import type { SlaState } from './state.js';

/**
 * The targets one SLA write met or missed, with what the metrics break them down by: counted once,
 * after the write that records them (a timer that fires twice writes nothing the second time).
 */
export interface SlaTally {
  conversationId: string;
  /** When they were met or missed: the day they count on. */
  at: string;
  outcomes: SlaOutcome[];
  queue?: string | undefined;
  channel?: Channel | undefined;
  /** The agent credited (`metricsCredit`: the assignee, else the last person who answered). */
  agent?: string | undefined;
  /** Met by an AI answer; or ended when only the AI had answered and no agent had the conversation. */
  ai: boolean;
}

/** What an SLA change met or missed on a conversation, or undefined when nothing. */
export function slaTally(
  conversation: Conversation,
  change: { before: SlaState | undefined; after: SlaState; at: string; aiReply?: boolean },
): SlaTally | undefined {
  const outcomes = slaOutcomes(change.before, change.after);
  const credit = metricsCredit(conversation);
  return tallyOf(conversation, change.at, outcomes, { ...credit, ai: change.aiReply ?? credit.ai });
}

/**
 * What undoing an answer takes back from the metrics, on the day and under the breakdown it was counted
 * (the answer's time; its author), or undefined when it had met nothing.
 */
export function slaUndoTally(
  conversation: Conversation,
  change: { before: SlaState | undefined; after: SlaState; at: string },
): SlaTally | undefined {
  const { outcomes, ai } = slaUndone(change.before, change.after);
  return tallyOf(conversation, change.at, outcomes, { agent: metricsCredit(conversation).agent, ai });
}

/** The outcomes with the conversation's breakdown, or undefined when there are none. */
function tallyOf(
  conversation: Conversation,
  at: string,
  outcomes: SlaOutcome[],
  credit: { agent: string | undefined; ai: boolean },
): SlaTally | undefined {
  if (outcomes.length === 0) return undefined;
  return {
    conversationId: conversation.id,
    at,
    outcomes,
    queue: conversation.queue,
    channel: conversation.channel,
    agent: credit.agent,
    ai: credit.ai,
  };
}
