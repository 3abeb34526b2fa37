import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import type { Conversation } from '#shared/domain/timeline.js';

/** Where a conversation goes: an agent (`me` for the caller, "" for nobody) and/or a queue. */
export interface AssignTarget {
  agentId?: string | undefined;
  queue?: string | undefined;
}

/** Assigns or transfers a conversation as the calling agent, and answers it as it now stands. */
export async function assignConversation(
  deps: { store: Pick<AgentStore, 'getConversation'>; admin: Pick<AgentAdmin, 'assign'>; clock: Clock },
  { conversationId, target, agentId }: { conversationId: string; target: AssignTarget; agentId: string },
): Promise<Conversation | undefined> {
  const assignee = target.agentId === 'me' ? agentId : target.agentId;
  await deps.admin.assign(
    conversationId,
    { agentId: assignee, queue: target.queue },
    agentId,
    deps.clock.now().toISOString(),
  );
  return deps.store.getConversation(conversationId);
}
