import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const SECRET = 'slow-hooks-meta-secret';
const ADMIN = agentToken('slow-hooks-admin-token');

describe('local runtime: an endpoint that hangs holds back only its own deliveries', () => {
  let runtime: LocalRuntime;
  let hanging: Awaited<ReturnType<typeof startReceiver>>;
  let answering: Awaited<ReturnType<typeof startReceiver>>;
  const timers = new ManualTimers(Date.now());

  beforeAll(async () => {
    hanging = await startReceiver(() => 'hang');
    answering = await startReceiver(() => 200);
    runtime = await startTestRuntime({
      // The longest wait for an answer: on main's shared slots the answering endpoint waited this long.
      env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `admin-ana:${ADMIN}:admin`, WEBHOOK_TIMEOUT_MS: '20000' },
      events: true,
      webhookTimers: timers,
    });
  });

  afterAll(async () => {
    await hanging?.close();
    await runtime?.close();
    await answering?.close();
  });

  const subscribe = async (url: string) => {
    const res = await fetch(`${runtime.url}/api/webhooks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url, events: ['message.received'] }),
    });
    expect(res.status).toBe(201);
  };

  it('delivers every event to the endpoint that answers while the other hangs on its first ones', async () => {
    await subscribe(hanging.url);
    await subscribe(answering.url);
    const at = new Date(Date.now() - 60_000).toISOString();
    const texts = Array.from({ length: 12 }, (_, i) => `slow ${i}`);
    const payload = whatsappText({
      from: '447700900977',
      messages: texts.map((text, i) => ({ id: `wamid.slow.${i}`, at, text })),
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
    // Every delivery queued (the feed drained); the answering endpoint gets them all while the hanging
    // endpoint's posts still wait for their answer (none given up on after its 20 s): its stuck slots
    // did not hold the others back.
    await runtime.webhooks?.feed.idle();
    await waitUntil(() => answering.received.length >= 12, 'the answering endpoint got every event', 30_000);
    expect(hanging.abandoned()).toBe(0);
    expect(new Set(answering.received.map((r) => r.headers['webhook-id'])).size).toBe(12);
    // The hanging endpoint holds at most its own 4 slots.
    expect(hanging.received.length).toBeLessThanOrEqual(4);
  });
});
