import { parseAgentTokens } from '../config/config.js';
import type { AgentProfile, ListedAgent } from '../domain/assignment.js';
import { type DynamoRepositories, storePorts } from '../store/dynamo-repositories.js';

/** The agent ids AGENT_TOKENS names. */
export function configuredAgentIds(agentTokens: string | undefined): Set<string> {
  return new Set([...parseAgentTokens(agentTokens).values()].map((caller) => caller.agentId));
}

/**
 * The store with `listAgents` and `getAgent` left to the agents of AGENT_TOKENS: an agent registered on
 * an earlier run whose token is gone (the first run's `dev-agent`, after a restart with the owner's own
 * tokens) is not listed under Agents, offered by Transfer nor handed conversations by routing, and an
 * assignment to them (an API call, an automation, a breach's escalation) is refused as to an agent never
 * registered (`unknown_agent`), as on AWS to one an admin removed. Their registration is kept: put back
 * in AGENT_TOKENS, they are listed again (on AWS, an admin removes an agent instead).
 */
export function configuredAgentsOnly<
  S extends {
    listAgents(): Promise<ListedAgent[]>;
    getAgent(agentId: string): Promise<AgentProfile | undefined>;
  },
>(store: S, agentTokens: string | undefined): S {
  const known = configuredAgentIds(agentTokens);
  return {
    ...store,
    listAgents: async () => (await store.listAgents()).filter((a) => known.has(a.id)),
    getAgent: async (agentId: string) => (known.has(agentId) ? store.getAgent(agentId) : undefined),
  };
}

/** The store the local agent API and consumers read: `repos`' ports, the agents of AGENT_TOKENS listed. */
export function configuredStorePorts(repos: DynamoRepositories, agentTokens: string | undefined) {
  return configuredAgentsOnly(storePorts(repos), agentTokens);
}
