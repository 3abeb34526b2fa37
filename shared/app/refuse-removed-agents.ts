import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Caller } from '#shared/domain/caller.js';
import type { Clock } from '#shared/domain/ports.js';
import { ForbiddenError } from '#shared/errors.js';
import { logger } from '#shared/log.js';

/**
 * How long one container trusts its last look at an agent's removal record: a removed agent's token
 * keeps working at most this long on a container (Lambda instance) that looked just before the removal.
 */
export const REMOVAL_LOOK_MS = 60_000;

/** More agents than this looked at in one container: the looks are forgotten and made again. */
const MAX_LOOKS = 10_000;

/** Whether an agent is removed, looked up at most once per `REMOVAL_LOOK_MS` per agent. */
export interface RemovalGate {
  isRemoved(agentId: string): Promise<boolean>;
  /** Forgets the last look (this container removed or restored the agent): the next request reads again. */
  forget(agentId: string): void;
}

/**
 * The removal records as a container sees them: one strong GetItem per agent per minute at most
 * (`REMOVAL_LOOK_MS`), whatever the number of requests, so a request costs no read in the common case.
 */
export function removalGate(deps: { store: Pick<AgentStore, 'isAgentRemoved'>; clock: Clock }): RemovalGate {
  const looks = new Map<string, { removed: boolean; until: number }>();
  return {
    async isRemoved(agentId) {
      const now = deps.clock.now().getTime();
      const look = looks.get(agentId);
      if (look && look.until > now) return look.removed;
      const removed = await deps.store.isAgentRemoved(agentId);
      if (looks.size >= MAX_LOOKS) looks.clear();
      looks.set(agentId, { removed, until: now + REMOVAL_LOOK_MS });
      return removed;
    },
    forget: (agentId) => void looks.delete(agentId),
  };
}

/**
 * The removal records looked at on every call (one strong GetItem each): for the live socket's connect,
 * rare beside requests, where a look trusted for a minute would let a socket opened just after a removal
 * stay open (the sockets open at the removal are closed by it, once).
 */
export function removalLook(store: Pick<AgentStore, 'isAgentRemoved'>): Pick<RemovalGate, 'isRemoved'> {
  return { isRemoved: (agentId) => store.isAgentRemoved(agentId) };
}

/**
 * An authenticator that refuses a removed agent: a valid token of an agent an admin removed is 403
 * `agent_removed` (a sign-in the identity provider still honours is not enough), until an admin restores them.
 */
export function refuseRemovedAgents(
  authenticate: (token: string) => Promise<Caller | undefined>,
  gate: Pick<RemovalGate, 'isRemoved'>,
): (token: string) => Promise<Caller | undefined> {
  return async (token) => {
    const caller = await authenticate(token);
    if (caller && (await gate.isRemoved(caller.agentId))) {
      logger.warn('agent token refused', { reason: 'agent removed', agentId: caller.agentId });
      throw new ForbiddenError('an admin removed this agent: ask an admin to restore you', 'agent_removed');
    }
    return caller;
  };
}
