import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { consoleLeaseInput } from '#shared/store/params/agents.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller } from './agent-api.js';
import { agentToken } from './agent-token.js';
import { type RecordedCall, recordCalls } from './call-recorder.js';
import { ManualTimers } from './manual-timers.js';
import { startTestRuntime } from './runtime.js';
import type { runtimePerTest } from './runtime-per-test.js';
import { type Item, scanTable } from './table-snapshot.js';

const TABLE = 'threadline';
const MINUTE = 60_000;
/** How many rounds of due timers `settleRefills` runs at most (a refill's follow-ups are bounded). */
const SETTLE_ROUNDS = 20;

/** An agent's token in these tests. */
export const teamToken = (agentId: string): string => agentToken(`team-${agentId}-token`);

/**
 * A team of agents through the local runtime on a manual clock, each registered Away in `general`
 * (`profile`) with their console open for a day; `seed` puts a conversation waiting there since so many
 * minutes ago (given to an agent when named); `holdings` reads who holds what; `settleRefills` runs the
 * timers that fall due (the agents' refills and their follow-ups) until none is left; `calls` records
 * every DynamoDB call of the runtime. `wrap` adds a test's own middleware (a gate) to the runtime's client.
 */
export async function startTeam(
  runtimes: ReturnType<typeof runtimePerTest>,
  agents: readonly string[],
  options: { profile: Record<string, unknown>; wrap?: (client: DynamoDBClient) => DynamoDBClient },
) {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  const calls: RecordedCall[] = [];
  const runtime = await startTestRuntime({
    env: { AGENT_TOKENS: agents.map((id) => `${id}:${teamToken(id)}`).join(',') },
    manualTime: manual,
    dynamoClient: (client) => {
      recordCalls(client, calls);
      return options.wrap?.(client) ?? client;
    },
  });
  const inspect = runtimes.started(runtime);
  const doc = documentClient(inspect);
  const api = (agentId: string) => agentCaller(() => runtime.url, teamToken(agentId));
  for (const agentId of agents) {
    await api(agentId)('PUT', '/api/agents/me', { ...options.profile, presence: 'away' });
    // Their consoles are open (what a live socket's connect writes), for a day.
    const lease = { kind: 'seen' as const, agentId, connectionId: `console-${agentId}` };
    await doc.update(consoleLeaseInput(TABLE, { ...lease, untilMs: manual.now() + 86_400_000 }));
  }
  const repos = dynamoRepositories(doc, TABLE);
  /** A conversation waiting in `general` since `minutes` ago, given to `agentId` when named. */
  const seed = async (id: string, minutes: number, agentId?: string) => {
    const at = new Date(manual.now() - minutes * MINUTE).toISOString();
    const touch = { conversationId: id, customerId: `cu_${id}`, channel: 'whatsapp' as const, at, now: at };
    await repos.conversations.touchConversation({ ...touch, inbound: true, reopen: false });
    await repos.conversations.assign(id, { queue: 'general', ...(agentId ? { agentId } : {}) }, 'test', at);
  };
  /** Who holds which open conversation, and each agent's set (their load). */
  const holdings = async () => {
    const items = await scanTable(inspect, TABLE);
    const open = items.filter((i) => i.entity === 'conversation' && i.status === 'open');
    const registered = items.filter((i) => i.entity === 'agent');
    const setOf = (agent: Item | undefined) =>
      [...((agent?.openConversationIds as Set<string> | undefined) ?? [])].sort();
    const held = (agentId: string) =>
      open
        .filter((c) => c.assignee === agentId)
        .map((c) => String(c.id))
        .sort();
    return {
      held,
      set: (agentId: string) => setOf(registered.find((a) => a.id === agentId)),
      waiting: open.filter((c) => c.assignee === undefined).map((c) => String(c.id)),
    };
  };
  /** Runs every timer due now, then each later one as it falls due, until none is left (bounded). */
  const settleRefills = async () => {
    await runtime.idle();
    for (let round = 0; round < SETTLE_ROUNDS; round += 1) {
      const due = runtime.timerStore.nextDue();
      if (due === undefined) return;
      manual.advance(Math.max(0, due - manual.now()));
      await runtime.idle();
    }
  };
  return { runtime, manual, api, seed, repos, holdings, settleRefills, calls };
}
