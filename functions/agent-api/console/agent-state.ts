/**
 * How the console names an agent's state, by the rule the server hands work and sweeps by: `away` as
 * they chose; `online` only while their console lease runs (`connectedUntil` ahead of now); online by
 * choice with the lease run out, or with none (no console open), `offline`: routing hands them nothing,
 * and what waits on them goes back to their queue (the timeline's "went offline").
 */
export function agentState(
  agent: { presence: 'online' | 'away'; connectedUntil?: string | undefined },
  now: number,
): 'online' | 'away' | 'offline' {
  if (agent.presence !== 'online') return 'away';
  return agent.connectedUntil !== undefined && Date.parse(agent.connectedUntil) > now ? 'online' : 'offline';
}

/** When the next of the agents now at the console counts as gone (epoch ms), if one is. */
export function nextLapse(
  agents: ReadonlyArray<{ presence: 'online' | 'away'; connectedUntil?: string | undefined }>,
  now: number,
): number | undefined {
  const ends = agents
    .filter((a) => agentState(a, now) === 'online')
    .map((a) => Date.parse(a.connectedUntil as string));
  return ends.length ? Math.min(...ends) : undefined;
}
