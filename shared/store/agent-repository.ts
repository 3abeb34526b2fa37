import { type Agent, type AgentProfile, AgentProfileSchema } from '../domain/assignment.js';
import { StringSetSchema } from '../domain/string-set.js';
import { type DynamoDb, getItem, updateItem } from './dynamo-client.js';
import { Keys } from './keys.js';
import { queryAll } from './paging.js';
import { putAgentInput, queryAgentsInput } from './params/agents.js';
import { getInput } from './params/common.js';
import { AGENT_LOAD_ATTRIBUTE } from './table.js';

function toAgentProfile(item: Record<string, unknown>): AgentProfile {
  const {
    pk: _pk,
    sk: _sk,
    entity: _entity,
    gsi1pk: _g,
    gsi1sk: _s,
    [AGENT_LOAD_ATTRIBUTE]: _load,
    ...rest
  } = item;
  return AgentProfileSchema.parse(rest);
}

/**
 * Every registered agent, with the open conversations assigned to each now: the set on their item
 * (see syncAgentLoad), projected in the list index with the profile, so one query answers.
 */
async function listAgents(db: DynamoDb): Promise<Agent[]> {
  return (await queryAll(db, queryAgentsInput(db.table))).map(agentOfItem);
}

/** An agent's item as the agent and the open conversations in their set. */
function agentOfItem(item: Record<string, unknown>): Agent {
  const { updatedAt: _updatedAt, ...profile } = toAgentProfile(item);
  return { ...profile, openConversations: StringSetSchema.parse(item[AGENT_LOAD_ATTRIBUTE]).length };
}

/** Agents: their profiles (skills, capacity, presence) and the load each carries now. */
export function agentRepository(db: DynamoDb) {
  return {
    /** A registered agent, or undefined. */
    async getAgent(agentId: string): Promise<AgentProfile | undefined> {
      const out = await getItem(db, getInput(db.table, Keys.agent(agentId), true));
      return out.Item ? toAgentProfile(out.Item) : undefined;
    },
    /**
     * An agent with their load, read strongly from their item: take-next runs right after the agent's own
     * resolve, which the list index (eventually consistent) may not show yet.
     */
    async getAgentNow(agentId: string): Promise<Agent | undefined> {
      const out = await getItem(db, getInput(db.table, Keys.agent(agentId), true));
      return out.Item ? agentOfItem(out.Item) : undefined;
    },
    /** Registers or updates an agent. */
    async putAgent(agent: AgentProfile): Promise<void> {
      await updateItem(db, putAgentInput(db.table, agent));
    },
    /** Every registered agent, with the open conversations assigned to each now. */
    listAgents: () => listAgents(db),
  };
}

/** The agent repository's methods. */
export type AgentRepository = ReturnType<typeof agentRepository>;
