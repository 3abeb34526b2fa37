import type { LiveEvent } from './live.js';

/**
 * The agents list with the load an `agent.load` live event says (`{agentId, openConversations}`: the
 * open conversations their set holds now, sent from the change that moved it); the same list when the
 * event is another, says nothing new, or names an agent not listed (the next read lists them).
 */
export function withLoad<T extends { id: string; openConversations: number }>(
  list: T[],
  event: LiveEvent,
): T[] {
  if (event.type !== 'agent.load') return list;
  const { agentId, openConversations } = (event.item ?? {}) as {
    agentId?: unknown;
    openConversations?: unknown;
  };
  if (typeof agentId !== 'string' || typeof openConversations !== 'number') return list;
  if (!list.some((a) => a.id === agentId && a.openConversations !== openConversations)) return list;
  return list.map((a) => (a.id === agentId ? { ...a, openConversations } : a));
}
