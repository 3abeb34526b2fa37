import type { LiveEvent } from './live.js';

/** What an `agent.load` live event says (`{agentId, openConversations}`), or undefined for any other. */
export function loadOf(event: LiveEvent): { agentId: string; openConversations: number } | undefined {
  if (event.type !== 'agent.load') return undefined;
  const { agentId, openConversations } = (event.item ?? {}) as {
    agentId?: unknown;
    openConversations?: unknown;
  };
  return typeof agentId === 'string' && typeof openConversations === 'number'
    ? { agentId, openConversations }
    : undefined;
}

/**
 * The agents list with the load an `agent.load` live event says (`loadOf`: the open conversations their
 * set holds now, sent from the change that moved it); the same list when the event is another, says
 * nothing new, or names an agent not listed (the next read lists them).
 */
export function withLoad<T extends { id: string; openConversations: number }>(
  list: T[],
  event: LiveEvent,
): T[] {
  const load = loadOf(event);
  if (!load) return list;
  const { agentId, openConversations } = load;
  if (!list.some((a) => a.id === agentId && a.openConversations !== openConversations)) return list;
  return list.map((a) => (a.id === agentId ? { ...a, openConversations } : a));
}
