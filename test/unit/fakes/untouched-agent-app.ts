import type { AgentAppDeps } from '#shared/api/deps.js';
import type { RemovalGate } from '#shared/app/refuse-removed-agents.js';

/** A dependency nothing may use: a call that got past the checks under test fails (500), not 4xx. */
const untouched = {} as never;

/** Nobody is removed: the sign-in's removal check reads nothing (see refuse-removed-agents.test.ts). */
export const nobodyRemoved: RemovalGate = { isRemoved: async () => false, forget: () => {} };

/**
 * The agent app's dependencies with no store, admin, audit log or replies behind them, for tests of
 * what the API answers before any use case runs; `admin-token` signs in an admin, `agent-token` an agent.
 */
export function untouchedAgentDeps(overrides: Partial<AgentAppDeps> = {}): AgentAppDeps {
  return {
    store: untouched,
    admin: untouched,
    audit: untouched,
    replies: untouched,
    clock: { now: () => new Date('2025-06-09T10:00:00.000Z') },
    authenticate: async (token) =>
      ({
        'admin-token': { agentId: 'admin-1', admin: true },
        'agent-token': { agentId: 'agent-1', admin: false },
      })[token],
    phone: { defaultRegion: 'US' },
    webhooks: untouched,
    live: { events: untouched },
    removals: nobodyRemoved,
    ...overrides,
  };
}
