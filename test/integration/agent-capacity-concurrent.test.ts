import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Agent } from '#shared/domain/assignment.js';
import { consoleLeaseInput } from '#shared/store/params/agents.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoGate, type GatedCall } from '../support/dynamo-gate.js';
import { GatheringQueue } from '../support/gathering-queue.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { runtimePerTest } from '../support/runtime-per-test.js';
import { type Item, scanTable } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const TOKENS = {
  'agent-ana': agentToken('conc-ana-token'),
  'agent-bob': agentToken('conc-bob-token'),
  'agent-cy': agentToken('conc-cy-token'),
};
const AGENTS = Object.keys(TOKENS);

/** Routing's read of the agents list (the list index's `AGENTS` partition), as the gate sees it. */
const agentsList = (call: GatedCall) => call.operation === 'Query' && call.body.includes('"AGENTS"');
/** A hand-off's claim of a slot on an agent's item. */
const claim = (call: GatedCall) => call.operation === 'UpdateItem' && call.body.includes('contains(#set');

/**
 * Hand-offs at once against agents' capacity, through the local runtime: ten customers ask for a
 * person in one batch, every hand-off reading the agents list at the same moment (the gate holds the
 * reads until all ten are there), so each sees every agent empty, as a lagging index would show them.
 * Three agents of capacity 3 get three each, and the tenth waits unassigned in its queue; before, every
 * hand-off chose the same least-loaded agent and she got all ten. Also a crash between the claim and
 * the assignment: the redelivery assigns the agent who holds the claim, counted once.
 */
describe('local runtime: concurrent hand-offs and capacity', () => {
  const runtimes = runtimePerTest();
  let inspect: DynamoDBClient | undefined;

  const start = async (gate: DynamoGate, deliveries: number) => {
    const runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: SECRETS.meta,
        AGENT_TOKENS: Object.entries(TOKENS)
          .map(([id, token]) => `${id}:${token}`)
          .join(','),
      },
      routing: true,
      dynamoClient: (client) => gate.attach(client),
      wrapInboundQueue: (queue) => new GatheringQueue(queue, deliveries),
      queue: { visibilityTimeoutMs: 500 },
    });
    inspect = runtimes.started(runtime);
    const online = { presence: 'online', queues: ['general'], languages: ['en'], capacity: 3 };
    for (const token of Object.values(TOKENS)) {
      await agentCaller(() => runtime.url, token)('PUT', '/api/agents/me', online);
    }
    // Their consoles are open (what a live socket's connect writes), for a day.
    const doc = documentClient(inspect);
    for (const agentId of AGENTS) {
      const lease = { kind: 'seen' as const, agentId, connectionId: `console-${agentId}` };
      await doc.update(consoleLeaseInput(TABLE, { ...lease, untilMs: Date.now() + 86_400_000 }));
    }
    return runtime;
  };

  const askForPerson = (url: string, n: number) =>
    deliver(
      signedMeta(
        url,
        '/webhooks/whatsapp',
        whatsappText({
          from: `1415555${1100 + n}`,
          name: `Customer ${n}`,
          messages: [
            {
              id: `wamid.CONC${n}`,
              at: new Date().toISOString(),
              text: 'I want to speak to a person, please.',
            },
          ],
        }),
        SECRETS.meta,
      ),
    );

  /** The conversations and the agents' items the table holds. */
  const table = async () => {
    const items = await scanTable(inspect as NonNullable<typeof inspect>, TABLE);
    const conversations = items.filter((i) => i.entity === 'conversation');
    const agents = items.filter((i) => i.entity === 'agent');
    const setOf = (agent: Item | undefined) =>
      [...((agent?.openConversationIds as Set<string>) ?? [])].sort();
    const sets = Object.fromEntries(AGENTS.map((id) => [id, setOf(agents.find((a) => a.id === id))]));
    const assigned = Object.fromEntries(
      AGENTS.map((id) => [
        id,
        conversations
          .filter((c) => c.assignee === id)
          .map((c) => String(c.id))
          .sort(),
      ]),
    );
    const assignedEvents = items.filter((i) => i.entity === 'timeline' && i.event === 'assigned');
    return { conversations, sets, assigned, assignedEvents };
  };

  it('ten hand-offs at once, three agents of capacity 3: three each, the tenth waits', async () => {
    const gate = new DynamoGate();
    const runtime = await start(gate, 10);
    gate.hold(agentsList, 10);
    const answers = Promise.all(Array.from({ length: 10 }, (_, n) => askForPerson(runtime.url, n)));
    // Every hand-off is at its read of the agents list: all ten see every agent with room.
    await gate.arrived(10);
    for (let i = 0; i < 10; i += 1) gate.release(i);
    expect((await answers).map((a) => a.status)).toEqual(Array(10).fill(200));
    await runtime.idle();
    expect(runtime.deadLetter.messages()).toEqual([]);

    const { conversations, sets, assigned } = await table();
    expect(conversations).toHaveLength(10);
    for (const id of AGENTS) {
      expect(assigned[id], id).toHaveLength(3);
      expect(sets[id], id).toEqual(assigned[id]);
    }
    const waiting = conversations.filter((c) => c.assignee === undefined);
    expect(waiting.map((c) => c.queue)).toEqual(['general']);
    const listed = await agentCaller(() => runtime.url, TOKENS['agent-ana'])<{ items: Agent[] }>(
      'GET',
      '/api/agents',
    );
    expect(listed.items.map((a) => [a.id, a.openConversations])).toEqual(AGENTS.map((id) => [id, 3]));
    // The list answers counts, never the ids of the conversations an agent holds.
    expect(listed.items.some((a) => 'openConversationIds' in a)).toBe(false);
  }, 60_000);

  it('a crash after the claim, before the assignment: the redelivery assigns the claim\u2019s agent, counted once', async () => {
    const gate = new DynamoGate();
    gate.crashAfter(claim);
    const runtime = await start(gate, 1);
    expect((await askForPerson(runtime.url, 1)).status).toBe(200);
    await runtime.idle();
    expect(runtime.deadLetter.messages()).toEqual([]);

    const { conversations, sets, assigned, assignedEvents } = await table();
    expect(conversations).toHaveLength(1);
    const [conversation] = conversations;
    // Ana was chosen (all empty, first by id) and claimed before the crash; the retry chose her again.
    expect(conversation?.assignee).toBe('agent-ana');
    expect(sets).toEqual({ 'agent-ana': [conversation?.id], 'agent-bob': [], 'agent-cy': [] });
    expect(assigned['agent-ana']).toEqual([conversation?.id]);
    expect(assignedEvents).toHaveLength(1);
  }, 60_000);
});
