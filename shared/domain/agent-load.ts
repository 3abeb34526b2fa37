/**
 * How often the agents' open-conversation sets are reconciled with the conversations themselves: the
 * AWS schedule's rate and the local runtime's period, so a count left wrong heals within it.
 */
export const AGENT_LOAD_RECONCILE_MINUTES = 10;

/**
 * An agent's open conversations (a string set of their ids) on the agent's item: what the agents list
 * counts, and what the change feed's images of the item carry to the live layer (`agent.load`).
 */
export const AGENT_LOAD_ATTRIBUTE = 'openConversationIds';

/** The scheduled task the timers function runs the reconcile on (`{"task": "reconcile-agent-load"}`). */
export const AGENT_LOAD_TASK = 'reconcile-agent-load';

/** An open conversation (snoozed included) and its assignee, as the inbox's list index shows it. */
export interface OpenAssignment {
  conversationId: string;
  agentId: string;
}

/** A registered agent and the conversations their open-conversation set holds. */
export interface AgentLoadSet {
  agentId: string;
  conversationIds: readonly string[];
}

/**
 * What a conversation item says about load, read strongly: the agent whose set should hold it (its
 * assignee while it is open; none once resolved or erased) and the agents it lists (`loadAgents`).
 */
export interface ConversationLoad {
  conversationId: string;
  holder: string | undefined;
  listed: readonly string[];
}

/** A conversation that is no more (erased): no set should hold it, and it lists nobody. */
export const goneLoad = (conversationId: string): ConversationLoad => ({
  conversationId,
  holder: undefined,
  listed: [],
});

/** For each conversation, the registered agents whose set holds it. */
export function heldByOf(sets: readonly AgentLoadSet[]): Map<string, string[]> {
  const heldBy = new Map<string, string[]>();
  for (const set of sets) {
    for (const conversationId of set.conversationIds) {
      heldBy.set(conversationId, [...(heldBy.get(conversationId) ?? []), set.agentId]);
    }
  }
  return heldBy;
}

/**
 * The conversations on which the inbox index and the agents' sets disagree: open and assigned to a
 * registered agent whose set lacks it, or in a set of an agent it is not open and assigned to. Both
 * sides are read eventually consistently, so each is only a suspect until the conversation is read.
 */
export function loadSuspects(
  assignments: readonly OpenAssignment[],
  sets: readonly AgentLoadSet[],
): string[] {
  const registered = new Set(sets.map((set) => set.agentId));
  const holderOf = new Map(
    assignments.filter((a) => registered.has(a.agentId)).map((a) => [a.conversationId, a.agentId]),
  );
  const heldBy = heldByOf(sets);
  const suspects = new Set<string>();
  for (const [conversationId, agentId] of holderOf) {
    if (!heldBy.get(conversationId)?.includes(agentId)) suspects.add(conversationId);
  }
  for (const [conversationId, agents] of heldBy) {
    if (agents.some((agentId) => agentId !== holderOf.get(conversationId))) suspects.add(conversationId);
  }
  return [...suspects].sort();
}

/**
 * Whether the sets need a fix for a conversation as read strongly: its holder (a registered agent)
 * lacks it, or another agent's set holds it.
 */
export function needsLoadFix(
  load: ConversationLoad,
  heldBy: readonly string[],
  registered: ReadonlySet<string>,
): boolean {
  const { holder } = load;
  const missing = holder !== undefined && registered.has(holder) && !heldBy.includes(holder);
  return missing || heldBy.some((agentId) => agentId !== holder);
}
