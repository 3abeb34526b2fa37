import { join } from 'node:path';
import { runAgentRefill } from '../app/agent-refill.js';
import { refillOver } from '../app/refill-holder.js';
import type { Config } from '../config/config.js';
import { parseAgentTokens } from '../config/config.js';
import { csatSettings } from '../config/csat-settings.js';
import { reopenWindowMsOf } from '../config/resolver-settings.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import { fallbackDelayMs } from '../config/webchat-settings.js';
import type { AgentProfile, ListedAgent } from '../domain/assignment.js';
import type { ConversationClockDeps } from '../domain/clock-ports.js';
import type { Clock } from '../domain/ports.js';
import { unknownNamedAgents } from '../domain/routing/named-agents.js';
import type { RoutingPolicy } from '../domain/routing/policy.js';
import { routingPolicyWarnings } from '../domain/routing/policy-warnings.js';
import { log } from '../log.js';
import { clockPorts, type DynamoRepositories, storePorts } from '../store/dynamo-repositories.js';
import type { LocalQueue } from './queue.js';
import { type LocalTimers, realTimers } from './timers.js';
import { LocalTimerStore } from './timers-store.js';

/**
 * Logs a warning at start for each agent the routing policy assigns to by name who is not in
 * AGENT_TOKENS: such an assignment is not made (on AWS agents live in Cognito: not checked there).
 */
export function warnUnknownAgents(policy: RoutingPolicy, agentTokens: string | undefined): void {
  const known = new Set([...parseAgentTokens(agentTokens).values()].map((caller) => caller.agentId));
  const unknown = unknownNamedAgents(policy, known);
  if (unknown.length === 0) return;
  log('warn', 'routing policy assigns to agents not in AGENT_TOKENS: those assignments will not be made', {
    agents: unknown.map((n) => `${n.agent} (${n.field})`),
  });
}

/** Logs the routing policy's warnings (`routingPolicyWarnings`) at start, one line naming each; none stops it. */
export function warnOfPolicy(policy: RoutingPolicy, now: Date): readonly string[] {
  const warnings = routingPolicyWarnings(policy, now);
  if (warnings.length > 0) log('warn', 'routing policy warnings: the start goes on', { warnings });
  return warnings;
}

/**
 * The conversation clock of the local runtime: the durable timer store (files under
 * `<dataDir>/timers`, fired onto the timers queue) and what the SLA, snooze and auto-resolve use
 * cases need, under the routing policy file's `sla` and `autoResolve`.
 */
export function localConversationClock(input: {
  config: Config;
  repos: DynamoRepositories;
  clock: Clock;
  dataDir: string | undefined;
  timers: LocalTimers | undefined;
  queue: LocalQueue;
}): { timerStore: LocalTimerStore; conversationClock: ConversationClockDeps } {
  const timerStore = new LocalTimerStore({
    dir: input.dataDir ? join(input.dataDir, 'timers') : undefined,
    timers: input.timers ?? realTimers,
    queue: input.queue,
  });
  const policy = loadRoutingPolicy(input.config.ROUTING_POLICY_FILE);
  warnUnknownAgents(policy, input.config.AGENT_TOKENS);
  warnOfPolicy(policy, input.clock.now());
  const agents = { store: storePorts(input.repos), admin: input.repos.conversations, clock: input.clock };
  const conversationClock: ConversationClockDeps = {
    store: { ...clockPorts(input.repos), ...input.repos.missedCalls },
    admin: input.repos.conversations,
    timers: timerStore,
    policy,
    clock: input.clock,
    // A missed call reopens or opens by the resolver's window.
    reopenWindowMs: reopenWindowMsOf(input.config),
    webchatFallbackMs: fallbackDelayMs(input.config.WEBCHAT_EMAIL_FALLBACK_DELAY),
    webchatBusinessName: input.config.WEBCHAT_BUSINESS_NAME,
    webchatAllowedOrigins: input.config.WEBCHAT_ALLOWED_ORIGINS,
    log,
    erasures: input.repos.privacy,
    // The agent an auto-resolve or an automation leaves takes waiting work.
    refill: refillOver(agents),
    // An `agent_refill` timer (a presence change's, a resolve's), run by the timers queue's consumer.
    refillAgent: (agentId, round) => runAgentRefill({ ...agents, refillTimers: timerStore }, agentId, round),
    // Email survey links lead to this runtime unless PUBLIC_BASE_URL says otherwise.
    csat: csatSettings(
      {
        PUBLIC_BASE_URL: input.config.PUBLIC_BASE_URL ?? `http://localhost:${input.config.PORT}`,
        CSAT_SIGNING_SECRET: input.config.CSAT_SIGNING_SECRET,
      },
      { store: storePorts(input.repos), setCsatPending: input.repos.customers.setCsatPending },
    ),
  };
  return { timerStore, conversationClock };
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
  const known = new Set([...parseAgentTokens(agentTokens).values()].map((caller) => caller.agentId));
  return {
    ...store,
    listAgents: async () => (await store.listAgents()).filter((a) => known.has(a.id)),
    getAgent: async (agentId: string) => (known.has(agentId) ? store.getAgent(agentId) : undefined),
  };
}
