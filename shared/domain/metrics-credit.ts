import type { Conversation } from './timeline.js';

/** Whom the metrics' breakdowns credit an outcome to: an agent's line, and the AI's or a person's. */
export interface MetricsCredit {
  /** The conversation's assignee then, else the last person who answered it in this opening. */
  agent: string | undefined;
  /** The AI answered and no person did, nor has the conversation. */
  ai: boolean;
}

/**
 * Whom a resolve, a breach or a survey's answer is credited to: the agent who has the conversation, or,
 * once it went back to the queue (its agent away, sent back), the person who answered it last in this
 * opening (`humanAnswerBy`), so the work a person did stays theirs. `ai` only when an answer was given
 * (`answeredAt`) and no person gave one or holds the conversation: a conversation nobody answered is
 * no AI's work either.
 */
export function metricsCredit(
  conversation: Pick<Conversation, 'assignee' | 'humanAnswerBy' | 'answeredBy' | 'answeredAt'> | undefined,
): MetricsCredit {
  const agent = conversation?.assignee ?? conversation?.humanAnswerBy;
  const person = agent !== undefined || conversation?.answeredBy === 'agent';
  const answered = conversation?.answeredBy !== undefined || conversation?.answeredAt !== undefined;
  return { agent, ai: answered && !person };
}
