import { describe, expect, it } from 'vitest';
import type { AgentProfile, ListedAgent } from '#shared/domain/assignment.js';
import { configuredAgentIds, configuredAgentsOnly } from '#shared/local/configured-agents.js';
import { agentToken } from '../../../support/agent-token.js';

const TOKENS = `agent-ana:${agentToken('configured-ana')}:admin,agent-bo:${agentToken('configured-bo')}`;

describe('the local store lists only the agents of AGENT_TOKENS', () => {
  it('names the agents AGENT_TOKENS gives, roles aside', () => {
    expect([...configuredAgentIds(TOKENS)]).toEqual(['agent-ana', 'agent-bo']);
    expect(configuredAgentIds(undefined).size).toBe(0);
  });

  it('leaves out a registered agent whose token is gone, keeping the rest of the store as it is', async () => {
    const registered = ['dev-agent', 'agent-ana', 'agent-bo'].map((id) => ({ id }) as ListedAgent);
    const getAgent = async (id: string) => registered.find((a) => a.id === id) as AgentProfile | undefined;
    const reply = async () => ({ ok: true });
    const store = { listAgents: async () => registered, getAgent, reply };
    const only = configuredAgentsOnly(store, TOKENS);
    expect((await only.listAgents()).map((a) => a.id)).toEqual(['agent-ana', 'agent-bo']);
    // Not one to assign to either (`unknown_agent`), as on AWS once an admin removed them.
    expect(await only.getAgent('dev-agent')).toBeUndefined();
    expect((await only.getAgent('agent-bo'))?.id).toBe('agent-bo');
    expect(only.reply).toBe(reply);
    expect(await store.listAgents()).toHaveLength(3);
  });
});
