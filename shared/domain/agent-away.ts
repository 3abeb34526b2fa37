import { atConsole } from './live/console-presence.js';
import type { Conversation } from './timeline.js';

/**
 * How often absent agents are looked for (the AWS schedule's rate and the local runtime's period): an
 * agent whose console lease lapsed has the conversations waiting on them handed back within it.
 */
export const AGENT_AWAY_SWEEP_MINUTES = 1;

/** The scheduled task the timers function runs the sweep on (`{"task": "return-absent-agents"}`). */
export const AGENT_AWAY_TASK = 'return-absent-agents';

/** Why an agent's conversations went back to their queue: they set Away, left the console, or an admin removed them. */
export const RETURN_REASONS = ['agent_away', 'agent_offline', 'agent_removed'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

/** An agent's console lease item as the sweep reads it: until when they count as there, and a lapse seen. */
export interface ConsoleLease {
  connectedUntil: string;
  /** The `connectedUntil` of a lapse the sweep has seen (and handed back for): the agent's return takes work. */
  lapsedAt?: string | undefined;
}

/**
 * Whether the agent has left the console: they had one (a lease item) and its lease ran out, grace
 * included. An agent with no lease item (API only, or none for a day) is never taken as absent.
 */
export function leftConsole(lease: ConsoleLease | undefined, now: Date): boolean {
  return lease !== undefined && !atConsole(lease.connectedUntil, now);
}

/**
 * Whether a conversation held by the agent goes back to its queue: open, still theirs, not snoozed, and
 * waiting on the business (the customer's message unanswered); one answered stays theirs.
 */
export function returnable(conversation: Conversation, agentId: string, now: Date): boolean {
  return (
    conversation.status === 'open' &&
    conversation.assignee === agentId &&
    conversation.waitingSince !== undefined &&
    !(conversation.snoozedUntil !== undefined && Date.parse(conversation.snoozedUntil) > now.getTime())
  );
}
