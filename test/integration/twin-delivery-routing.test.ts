import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoGate, recentItemsRead } from '../support/dynamo-gate.js';
import { GatheringQueue } from '../support/gathering-queue.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('twin-routing-token');
const PHONE = '447700905100';

/**
 * A provider's webhook retry that comes while the first delivery of its message is still being routed,
 * for a message timed more than 5 minutes before (a phone that was offline): the twin is no AI failure.
 * Before, the twin found the item the other delivery wrote, counted the AI's 5 minutes of patience from
 * the message's own time, and handed it to a person (ai_failed: an assignment and a hand-off note) while
 * the first delivery's AI answered it too: one message routed twice.
 */
describe('local runtime: a twin delivery of a message timed long ago, routed once', () => {
  const time = new ManualTimers(Date.parse('2026-03-03T10:00:00.000Z'));
  const gate = new DynamoGate();
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-twin:${TOKEN}` },
      routing: true,
      manualTime: time,
      dynamoClient: (client) => gate.attach(client),
      // Both deliveries in one batch, applied in parallel.
      wrapInboundQueue: (queue) => new GatheringQueue(queue, 2),
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const timeline = async () => {
    const id = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${PHONE}` },
      { consistent: true },
    );
    const res = await fetch(`${runtime.url}/api/customers/${id}/timeline?limit=50`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    return ((await res.json()) as { items: TimelineItem[] }).items;
  };

  it('asks the AI, answers once and records one decision, both deliveries routing at once', async () => {
    const at = new Date(time.now() - 10 * 60_000).toISOString();
    const body = whatsappText({
      from: PHONE,
      name: 'Twin',
      messages: [{ id: 'wamid.TWIN1', at, text: 'How long does shipping take?' }],
    });
    const request = signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta);
    // Both held at routing's read of the recent items (the item written by one, found by the other).
    gate.hold(recentItemsRead, 2);
    const answers = Promise.all([deliver(request), deliver(request)]);
    await gate.arrived(2);
    gate.release(0);
    gate.release(1);
    expect((await answers).map((a) => a.status)).toEqual([200, 200]);
    await runtime.idle();
    expect(runtime.deadLetter.messages()).toEqual([]);
    const items = await timeline();
    // The AI's decision, shown from its reply: one, for the AI; no hand-off note, no assignment.
    expect(items.filter((x) => x.event === 'routed').map((x) => x.data?.target)).toEqual(['ai']);
    expect(items.filter((x) => x.event === 'assigned')).toEqual([]);
    expect(items.filter((x) => x.type === 'note')).toEqual([]);
    const replies = items.filter((x) => x.type === 'message' && x.direction === 'outbound');
    expect(replies.map((r) => r.data?.author)).toEqual([{ kind: 'ai', id: 'responder' }]);
  });
});
