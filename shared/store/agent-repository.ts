import { type Agent, type AgentProfile, AgentProfileSchema } from '../domain/assignment.js';
import { type DynamoDb, getItem, putItem, queryItems } from './dynamo-client.js';
import { Keys } from './keys.js';
import { queryAll } from './paging.js';
import { putAgentInput, queryAgentsInput } from './params/agents.js';
import { getInput } from './params/common.js';
import { queryInboxInput } from './params/conversations.js';

function toAgentProfile(item: Record<string, unknown>): AgentProfile {
  const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g, gsi1sk: _s, ...rest } = item;
  return AgentProfileSchema.parse(rest);
}

/** How many open conversations each agent holds: one pass over the open inbox (at most 20 pages of 200). */
async function openConversationsByAgent(db: DynamoDb): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 20; page++) {
    const out = await queryItems(db, queryInboxInput(db.table, { status: 'open' }, { limit: 200, startKey }));
    for (const item of out.Items ?? []) {
      if (typeof item.assignee === 'string') {
        counts.set(item.assignee, (counts.get(item.assignee) ?? 0) + 1);
      }
    }
    startKey = out.LastEvaluatedKey;
    if (!startKey) break;
  }
  return counts;
}

/** Every registered agent, with the open conversations assigned to each now. */
async function listAgents(db: DynamoDb): Promise<Agent[]> {
  const profiles = (await queryAll(db, queryAgentsInput(db.table))).map(toAgentProfile);
  const open = profiles.length ? await openConversationsByAgent(db) : new Map<string, number>();
  return profiles.map(({ updatedAt: _updatedAt, ...profile }) => ({
    ...profile,
    openConversations: open.get(profile.id) ?? 0,
  }));
}

/** Agents: their profiles (skills, capacity, presence) and the load each carries now. */
export function agentRepository(db: DynamoDb) {
  return {
    /** A registered agent, or undefined. */
    async getAgent(agentId: string): Promise<AgentProfile | undefined> {
      const out = await getItem(db, getInput(db.table, Keys.agent(agentId), true));
      return out.Item ? toAgentProfile(out.Item) : undefined;
    },
    /** Registers or updates an agent. */
    async putAgent(agent: AgentProfile): Promise<void> {
      await putItem(db, putAgentInput(db.table, agent));
    },
    /** Every registered agent, with the open conversations assigned to each now. */
    listAgents: () => listAgents(db),
  };
}

/** The agent repository's methods. */
export type AgentRepository = ReturnType<typeof agentRepository>;
