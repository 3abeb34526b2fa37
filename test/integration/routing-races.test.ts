import { afterEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { consoleLeaseInput } from '#shared/store/params/agents.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoGate, type GatedCall } from '../support/dynamo-gate.js';
import { GatheringQueue } from '../support/gathering-queue.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { type Item, inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const ANA = agentToken('races-ana-token');
const BOB = agentToken('races-bob-token');
const MESSAGE = 'wamid.RACE1';

/** The hand-off note's timeline write, as the gate sees it. */
const notePut = (call: GatedCall) => call.operation === 'PutItem' && call.body.includes('note:handoff:');

/**
 * One message delivered twice at once (a provider retry racing the first delivery), both past the check
 * for an earlier decision before either records one, with the clock moving between them: one hand-off
 * note, one `assigned` event, and the conversation with the agent the decision names. Also when the
 * first run crashes after its note and the message comes back later. The gate on the runtime's DynamoDB
 * client holds the runs at the note, so the race is the same on every run.
 */
describe('local runtime: one message routed by two deliveries at once', () => {
  let runtime: LocalRuntime | undefined;
  let inspect: ReturnType<typeof inspectionClient> | undefined;

  afterEach(async () => {
    inspect?.destroy();
    await runtime?.close();
    runtime = undefined;
  }, 60_000);

  /**
   * The runtime with routing, Ana and Bob online with room, and a clock `stepMs` on at each read (a
   * second unless the test says otherwise).
   */
  const start = async (gate: DynamoGate, deliveries: number, stepMs = 1000) => {
    let tick = 0;
    const base = Date.parse('2026-12-01T15:00:00.000Z');
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: SECRETS.meta, AGENT_TOKENS: `agent-ana:${ANA}:admin,agent-bob:${BOB}` },
      routing: true,
      clock: { now: () => new Date(base + stepMs * tick++) },
      dynamoClient: (client) => gate.attach(client),
      wrapInboundQueue: (queue) => new GatheringQueue(queue, deliveries),
      queue: { visibilityTimeoutMs: 200 },
    });
    inspect = inspectionClient(runtime.dynamoEndpoint);
    const online = { presence: 'online', queues: ['general'], languages: ['en'], capacity: 5 };
    for (const token of [ANA, BOB])
      await agentCaller(() => String(runtime?.url), token)('PUT', '/api/agents/me', online);
    // Their consoles are open (what a socket's connect writes), for longer than the race's clock runs.
    const doc = documentClient(inspect);
    for (const agentId of ['agent-ana', 'agent-bob']) {
      const connectionId = `console-${agentId}`;
      await doc.update(
        consoleLeaseInput(TABLE, { kind: 'seen', agentId, connectionId, untilMs: base + 86_400_000 }),
      );
    }
    return runtime;
  };

  const request = (url: string) =>
    signedMeta(
      url,
      '/webhooks/whatsapp',
      whatsappText({
        from: '14155550177',
        name: 'Robin',
        messages: [
          { id: MESSAGE, at: '2026-12-01T14:59:00.000Z', text: 'I want to speak to a person, please.' },
        ],
      }),
      SECRETS.meta,
    );

  /** The hand-off notes, `assigned` events, routed decision and conversation the table holds. */
  const outcome = async () => {
    const items = await scanTable(inspect as NonNullable<typeof inspect>, TABLE);
    const of = (predicate: (item: Item) => boolean) => items.filter(predicate);
    return {
      notes: of((i) => i.id === `note:handoff:whatsapp:${MESSAGE}`),
      assigned: of((i) => i.entity === 'timeline' && i.event === 'assigned'),
      routed: of((i) => i.id === `route:whatsapp:${MESSAGE}`),
      conversations: of((i) => i.entity === 'conversation'),
    };
  };

  const expectOneHandOff = async () => {
    const { notes, assigned, routed, conversations } = await outcome();
    expect(notes.map((n) => n.sk)).toHaveLength(1);
    expect(assigned.map((a) => a.sk)).toHaveLength(1);
    expect(routed).toHaveLength(1);
    const agent = (routed[0]?.data as { assignedTo?: string } | undefined)?.assignedTo;
    expect(agent).toMatch(/^agent-(ana|bob)$/);
    expect(conversations.map((c) => c.assignee)).toEqual([agent]);
    expect(assigned[0]?.data).toMatchObject({ to: { agentId: agent } });
  };

  it('two deliveries at once, the second going on after the first is done: one note, one assignment', async () => {
    const gate = new DynamoGate();
    gate.hold(notePut, 2);
    // A twin delivery routes only once the item's first write is ROUTING_LEASE_MS old (before, it is left
    // to the delivery that wrote the item): 31 s a clock read puts the twin past it, as a provider retry
    // late in the writer's routing would be.
    const runtime = await start(gate, 2, 31_000);
    const req = request(runtime.url);
    const answers = Promise.all([deliver(req), deliver(req)]);
    // Both runs are past the check for a decision, at the note's write.
    await gate.arrived(2);
    gate.release(0);
    await waitUntil(
      async () => (await outcome()).routed.length === 1,
      'the first run to record its decision',
    );
    // The second reads the agents now: Ana has one more open conversation, so it would pick Bob.
    gate.release(1);
    expect((await answers).map((a) => a.status)).toEqual([200, 200]);
    await runtime.idle();
    await expectOneHandOff();
  }, 60_000);

  it('a crash right after the note, the message delivered again later: one note, one assignment', async () => {
    const gate = new DynamoGate();
    gate.crashAfter(notePut);
    const runtime = await start(gate, 1);
    expect((await deliver(request(runtime.url))).status).toBe(200);
    await runtime.idle();
    expect(runtime.deadLetter.messages()).toEqual([]);
    await expectOneHandOff();
  }, 60_000);
});
