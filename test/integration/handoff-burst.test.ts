import { describe, expect, it } from 'vitest';
import { DynamoGate, escalationWrite, recentItemsRead } from '../support/dynamo-gate.js';
import { GatheringQueue } from '../support/gathering-queue.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { type Item, inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const FROM = '14155550556';
const AT = '2026-12-01T14:59:00.000Z';
const BURST = ['wamid.BURST1', 'wamid.BURST2', 'wamid.BURST3', 'wamid.BURST4'];

/**
 * A new customer sends four short messages at once, none the AI can answer: the resolver routes them
 * in parallel, each reading the conversation before any hands it off. The gate holds every run at its
 * read of the recent items, so all four decide on a conversation nobody has handed off, whatever the
 * machine's timing. One message hands off (one note, one assignment); the others wait with it
 * (`awaiting_human`). Also when the message that won the hand-off crashes right after it and comes back.
 */
/** The burst's decisions (by message), hand-off notes, `assigned` events and conversations the table holds. */
async function outcome(inspect: ReturnType<typeof inspectionClient>) {
  const items = await scanTable(inspect, TABLE);
  const decisions = new Map(
    items
      .filter((i) => typeof i.id === 'string' && i.id.startsWith('route:whatsapp:wamid.BURST'))
      .map((i) => [String(i.id).slice('route:whatsapp:'.length), (i.data as Item).reason]),
  );
  return {
    decisions,
    notes: items.filter((i) => typeof i.id === 'string' && i.id.startsWith('note:handoff:')),
    assigned: items.filter((i) => i.entity === 'timeline' && i.event === 'assigned'),
    conversations: items.filter((i) => i.entity === 'conversation'),
  };
}

async function expectOneHandOff(inspect: ReturnType<typeof inspectionClient>) {
  const { decisions, notes, assigned, conversations } = await outcome(inspect);
  expect([...decisions.keys()].sort()).toEqual(BURST);
  const reasons = [...decisions.values()];
  expect(reasons.filter((r) => r === 'low_confidence')).toHaveLength(1);
  expect(reasons.filter((r) => r === 'awaiting_human')).toHaveLength(BURST.length - 1);
  // The note is the one the hand-off's message made.
  const winner = [...decisions].find(([, reason]) => reason === 'low_confidence')?.[0];
  expect(notes.map((n) => n.id)).toEqual([`note:handoff:whatsapp:${winner}`]);
  // It quotes the three messages sent with its own, which wait with it (as asked, or sent with it).
  for (const id of BURST.filter((other) => other !== winner)) {
    expect(String(notes[0]?.text)).toContain(`"zqxv wurble ${BURST.indexOf(id) + 1}"`);
  }
  expect(assigned).toHaveLength(1);
  expect(assigned[0]?.data).toMatchObject({ to: { queue: 'general' } });
  expect(conversations.map((c) => [c.queue, c.escalatedItemId])).toEqual([['general', `whatsapp:${winner}`]]);
}

/**
 * Sends the burst through a runtime on `gate` (all four runs held at their read of the recent items,
 * then let go together), and checks that it handed off once.
 */
async function routeBurst(gate: DynamoGate): Promise<void> {
  gate.hold(recentItemsRead, BURST.length);
  const now = Date.parse('2026-12-01T15:00:00.000Z');
  const runtime = await startTestRuntime({
    env: { META_APP_SECRET: SECRETS.meta },
    routing: true,
    clock: { now: () => new Date(now) },
    dynamoClient: (client) => gate.attach(client),
    wrapInboundQueue: (queue) => new GatheringQueue(queue, BURST.length),
    queue: { visibilityTimeoutMs: 200 },
  });
  const inspect = inspectionClient(runtime.dynamoEndpoint);
  try {
    const requests = BURST.map((id, k) =>
      signedMeta(
        runtime.url,
        '/webhooks/whatsapp',
        whatsappText({ from: FROM, name: 'Race', messages: [{ id, at: AT, text: `zqxv wurble ${k + 1}` }] }),
        SECRETS.meta,
      ),
    );
    const answers = Promise.all(requests.map(deliver));
    await gate.arrived(BURST.length);
    for (const k of BURST.keys()) gate.release(k);
    expect((await answers).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    await runtime.idle();
    expect(runtime.deadLetter.messages()).toEqual([]);
    await expectOneHandOff(inspect);
  } finally {
    inspect.destroy();
    await runtime.close();
  }
}

describe('local runtime: a burst of messages from a new customer hands off once', () => {
  it('four messages routed at once: one hand-off note and assignment, three awaiting_human', async () => {
    await routeBurst(new DynamoGate());
  }, 60_000);

  it('the message that hands off crashes right after, and comes back: still one hand-off', async () => {
    const gate = new DynamoGate();
    gate.crashAfter(escalationWrite);
    await routeBurst(gate);
  }, 60_000);
});
