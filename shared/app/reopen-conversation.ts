import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import type { Conversation } from '#shared/domain/timeline.js';

/** Reopens a resolved conversation as the agent, and answers it as it now stands. */
export async function reopenConversation(
  deps: {
    store: Pick<AgentStore, 'getConversation'>;
    admin: Pick<AgentAdmin, 'reopenConversation'>;
    clock: Clock;
  },
  conversationId: string,
  agentId: string,
): Promise<Conversation | undefined> {
  await deps.admin.reopenConversation(conversationId, agentId, deps.clock.now().toISOString());
  // Read strongly: an eventually consistent read may not see the write just made.
  return deps.store.getConversation(conversationId, { consistent: true });
}
