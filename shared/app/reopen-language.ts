import type { RouteDecision } from '../domain/routing/decision.js';
import type { Routing } from './read-routing.js';

/**
 * A conversation the customer's message has just reopened (`reopened`) in another language than it
 * had (the touch decided `language` again, keeping `languageBefore`), while an agent still has it: it
 * is routed as a new one handed to a person is, to the queue of its language and to the agent who last
 * helped the customer only if they speak it (`chooseAgent`), else to another who does or to the queue
 * (`handingOn`: the agent it leaves). A person had it, so the AI does not answer it (`humanReplied`).
 * Any other routing is as it was: a reopen in the same language, or one too short to tell, stays with
 * its agent, reading nothing more.
 */
export function reopenedInAnotherLanguage(routing: Routing, reopened: boolean | undefined): Routing {
  const { conversation } = routing;
  const { assignee, language, languageBefore } = conversation;
  if (!reopened || !assignee || !language || !languageBefore || languageBefore === language) return routing;
  const unowned = { assignee: undefined, queue: undefined };
  return {
    ...routing,
    conversation: { ...conversation, ...unowned },
    base: { ...routing.base, conversation: { ...routing.base.conversation, ...unowned, humanReplied: true } },
    handingOn: assignee,
  };
}

/** The decision's words for a conversation handed on for its new language (`reopenedInAnotherLanguage`). */
export function handedOnDetail(routing: Routing, decision: RouteDecision): RouteDecision {
  const { handingOn } = routing;
  const { language, languageBefore } = routing.conversation;
  if (!handingOn || decision.reason !== 'human_took_over') return decision;
  const detail = `the customer reopened this conversation in ${language} (it was in ${languageBefore}): handed to ${decision.queue} as a new conversation is, to agent ${handingOn} only if they speak it`;
  return { ...decision, detail };
}
