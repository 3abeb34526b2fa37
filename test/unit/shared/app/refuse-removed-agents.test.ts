import { describe, expect, it } from 'vitest';
import { REMOVAL_LOOK_MS, refuseRemovedAgents, removalGate } from '#shared/app/refuse-removed-agents.js';
import { ForbiddenError } from '#shared/errors.js';

function removals() {
  const removed = new Set<string>();
  const looks: string[] = [];
  return {
    removed,
    looks,
    isAgentRemoved: async (agentId: string) => {
      looks.push(agentId);
      return removed.has(agentId);
    },
  };
}

describe('refuseRemovedAgents', () => {
  it('refuses a removed agent with 403 agent_removed, and lets the others and unknown tokens through', async () => {
    const store = removals();
    store.removed.add('agent-ana');
    const gate = removalGate({ store, clock: { now: () => new Date(0) } });
    const callers = new Map([
      ['ana', { agentId: 'agent-ana', admin: false }],
      ['bob', { agentId: 'agent-bob', admin: true }],
    ]);
    const authenticate = refuseRemovedAgents(async (token) => callers.get(token), gate);
    const refused = await authenticate('ana').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect(refused).toMatchObject({ code: 'agent_removed' });
    expect(await authenticate('bob')).toEqual({ agentId: 'agent-bob', admin: true });
    expect(await authenticate('nobody')).toBeUndefined();
    expect(store.looks).toEqual(['agent-ana', 'agent-bob']);
  });

  it('looks at an agent’s removal record once a minute, or at once after this container changed it', async () => {
    const store = removals();
    let now = 0;
    const gate = removalGate({ store, clock: { now: () => new Date(now) } });
    expect(await gate.isRemoved('agent-ana')).toBe(false);
    store.removed.add('agent-ana');
    now = REMOVAL_LOOK_MS - 1;
    // Removed on another container: this one trusts its look for up to a minute.
    expect(await gate.isRemoved('agent-ana')).toBe(false);
    now = REMOVAL_LOOK_MS;
    expect(await gate.isRemoved('agent-ana')).toBe(true);
    store.removed.delete('agent-ana');
    gate.forget('agent-ana');
    expect(await gate.isRemoved('agent-ana')).toBe(false);
    expect(store.looks).toEqual(['agent-ana', 'agent-ana', 'agent-ana']);
  });
});
