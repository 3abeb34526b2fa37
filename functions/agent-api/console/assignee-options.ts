import { agentState } from './agent-state.js';

/** What the filter reads of a registered agent (an `AgentRow` of agents.tsx). */
type Agent = {
  id: string;
  openConversations: number;
  presence: 'online' | 'away';
  connectedUntil?: string | undefined;
};

/**
 * The Assigned filter's choices: anyone, mine, unassigned, then every other registered agent with
 * their state (online, away, or offline once their console lease ran out: `agentState`) and load, so a lead sees what one agent holds (an absent one's too); then those who
 * hold a conversation in view but are not registered (they never opened the console since it registers
 * its agents: an API client, say), so what they hold can be found and moved, an agent an admin removed
 * named so (`removed`, known to an admin's console: `GET /api/agents/removed`); an agent the filter names
 * who is not listed (yet) keeps their option.
 */
export function assigneeOptions(
  agents: readonly Agent[],
  me: string,
  chosen: string,
  conversations: ReadonlyArray<{ assignee?: string | undefined }> = [],
  removed: ReadonlySet<string> = new Set(),
): Array<[string, string]> {
  const others = agents.filter((a) => a.id !== me);
  const now = Date.now();
  const rows: Array<[string, string]> = others.map((a) => [
    a.id,
    `${a.id} (${agentState(a, now)}, ${a.openConversations} open)`,
  ]);
  const listed = new Set([me, ...agents.map((a) => a.id)]);
  const holders = new Set(
    conversations.flatMap((c) => (c.assignee && !listed.has(c.assignee) ? [c.assignee] : [])),
  );
  for (const id of [...holders].sort())
    rows.push([id, `${id} (${removed.has(id) ? 'removed' : 'not registered'})`]);
  const fixed = ['', 'me', 'unassigned'];
  if (chosen && !fixed.includes(chosen) && !rows.some(([id]) => id === chosen)) rows.push([chosen, chosen]);
  return [['', 'Anyone'], ['me', 'Mine'], ['unassigned', 'Unassigned'], ...rows];
}
