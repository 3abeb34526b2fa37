import {
  type Agent,
  type AgentChoice,
  type ChooseAgentInput,
  chooseAgent,
  loadsWithout,
} from '../domain/assignment.js';
import { withConnectedUntil } from '../domain/live/console-presence.js';
import type { RouterStore } from '../domain/router-ports.js';

/** How many claims one hand-off makes at most before the conversation waits in its queue. */
export const MAX_AGENT_CLAIMS = 10;

/** The agent a hand-off claimed a slot on (or none: it waits), and the sets that held it before. */
export interface ClaimedAgent {
  choice: AgentChoice;
  /** Agents whose set held the conversation already (an earlier run's claim): released unless chosen. */
  holders: string[];
}

/**
 * Chooses the agent for a hand-off and claims a slot on their own item before the conversation is
 * assigned: the agents list (an eventually consistent index) only ranks the candidates; the claim, a
 * conditional write on the chosen agent's item, holds only while they are online with room and no
 * busier than the list showed. Refused (another hand-off took the slot, or the list lagged), the agent
 * as they are now (read strongly) replaces the listed one and the choice is made again, so concurrent
 * hand-offs spread by load and nobody goes past capacity. At most `MAX_AGENT_CLAIMS` claims; then, or
 * when nobody has room, the conversation waits.
 */
export async function claimAgent(
  store: Pick<RouterStore, 'listAgents' | 'claimAgentSlot'>,
  conversationId: string,
  input: Omit<ChooseAgentInput, 'agents'>,
): Promise<ClaimedAgent> {
  const listed = loadsWithout(await store.listAgents(), conversationId);
  let agents: Agent[] = listed.agents;
  for (let claims = 0; claims < MAX_AGENT_CLAIMS; claims += 1) {
    const choice = chooseAgent({ ...input, agents });
    const chosen = 'agentId' in choice ? agents.find((a) => a.id === choice.agentId) : undefined;
    if (!chosen) return { choice: { waiting: true }, holders: listed.holders };
    const claim = await store.claimAgentSlot(chosen.id, conversationId, chosen.openConversations);
    if (claim.claimed) return { choice, holders: listed.holders };
    // The agent as they are now, at the console as the list said (the claim reads their item only).
    const now = claim.agent && withConnectedUntil(claim.agent, chosen.connectedUntil);
    agents = agents.flatMap((a) => (a.id !== chosen.id ? [a] : now ? [now] : []));
  }
  return { choice: { waiting: true }, holders: listed.holders };
}
