import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import { nextWaitingConversation } from '#shared/domain/assignment.js';
import type { Clock } from '#shared/domain/ports.js';

/** What taking the next waiting conversation needs. */
export interface TakeNextWaitingDeps {
  store: Pick<AgentStore, 'listAgents' | 'inbox'>;
  admin: Pick<AgentAdmin, 'assign'>;
  clock: Clock;
}

/** Gives an agent who came online or freed up the conversation waiting longest in their queues. */
export async function takeNextWaiting(deps: TakeNextWaitingDeps, agentId: string): Promise<void> {
  const agent = (await deps.store.listAgents()).find((a) => a.id === agentId);
  if (!agent) return;
  const waiting = await deps.store.inbox({ status: 'open', assignee: 'unassigned' }, { limit: 200 });
  const next = nextWaitingConversation(
    waiting.items.flatMap((c) =>
      c.queue && c.waitingSince
        ? [{ conversationId: c.id, queue: c.queue, waitingSince: c.waitingSince }]
        : [],
    ),
    agent,
  );
  if (!next) return;
  const now = deps.clock.now().toISOString();
  await deps.admin.assign(
    next.conversationId,
    { agentId },
    'routing',
    now,
    `assigned:${next.conversationId}:${now}`,
  );
}
