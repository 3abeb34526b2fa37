import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALLED_AFTER_MS } from '#shared/domain/webhooks.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentFetcher } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const SECRET = 'retry-restart-meta';
const ADMIN = agentToken('retry-restart-admin');

/**
 * A webhook retry waiting out its delay when the local runtime dies (kill -9 or a stop): the wait is on
 * disk, so the next start sends it when due; and a delivery whose retry was lost anyway (its file gone)
 * can be replayed once it is overdue, with the same webhook-id, sent once even if the lost one comes.
 */
describe('local runtime: webhook retries outlive a restart', () => {
  let dataDir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let runtime: LocalRuntime | undefined;

  const start = (time: ManualTimers, admins = time) =>
    startTestRuntime({
      env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-ana:${ADMIN}:admin`, DATA_DIR: dataDir },
      persist: true,
      events: true,
      webhookTimers: time,
      clock: { now: () => new Date(admins.now()) },
    });
  const api = agentFetcher(() => runtime?.url ?? '', ADMIN);
  const delayedFiles = () => {
    const dir = join(dataDir, 'queues', 'webhooks-delayed');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  /** A subscription whose endpoint fails the first post; one message posted; its retry waiting. */
  const failOnce = async (time: ManualTimers, admins = time) => {
    runtime = await start(time, admins);
    const created = await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const payload = whatsappText({
      from: '447700900321',
      messages: [{ id: 'wamid.RESTART1', at: new Date(time.now()).toISOString(), text: 'Hello?' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
    await runtime.idle();
    expect(receiver.received.map((r) => r.answer)).toEqual([500]);
    return id;
  };
  const deliveryOf = async (subscriptionId: string) => {
    const res = await api('GET', `/api/webhooks/${subscriptionId}/deliveries`);
    const { items } = (await res.json()) as {
      items: Array<{ id: string; status: string; attempts: number }>;
    };
    expect(items).toHaveLength(1);
    return items[0] as { id: string; status: string; attempts: number };
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-retry-'));
    receiver = await startReceiver(({ seen }) => (seen === 0 ? 500 : 200));
  });

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends a retry whose wait the runtime lost, when it is due after the restart', async () => {
    const before = new ManualTimers(Date.now());
    const subscriptionId = await failOnce(before);
    // The first runtime's time never moves again: only the next start can send the retry.
    await runtime?.close();
    const after = new ManualTimers(before.now());
    runtime = await start(after);
    expect(delayedFiles()).toHaveLength(1);
    after.advance(4_000);
    await runtime.idle();
    expect(receiver.received).toHaveLength(1);

    after.advance(10_000);
    await waitUntil(() => receiver.received.length === 2, 'the retry sent');
    await runtime.idle();
    expect(receiver.received.map((r) => r.answer)).toEqual([500, 200]);
    const [first, second] = receiver.received.map((r) => r.headers['webhook-id']);
    expect(second).toBe(first);
    expect(await deliveryOf(subscriptionId)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(delayedFiles()).toEqual([]);
  }, 30_000);

  it('replays a pending delivery once its retry is long overdue, and sends it once if the lost one comes', async () => {
    const hooks = new ManualTimers(Date.now());
    const admins = new ManualTimers(hooks.now());
    const subscriptionId = await failOnce(hooks, admins);
    const { id } = await deliveryOf(subscriptionId);
    const replay = () => api('POST', `/api/webhooks/${subscriptionId}/deliveries/${id}/replay`);

    // Its retry is due in 5 s: until well past that, it is on its way.
    admins.advance(5_000 + STALLED_AFTER_MS - 1_000);
    expect((await replay()).status).toBe(409);
    // Its message stays held (the deliverer's time does not move), as a lost one would be.
    admins.advance(2_000);
    expect((await replay()).status).toBe(202);
    await runtime?.idle();
    expect(receiver.received.map((r) => r.answer)).toEqual([500, 200]);
    expect(await deliveryOf(subscriptionId)).toMatchObject({ status: 'delivered', attempts: 1 });

    // The retry it stood in for comes after all: the replay's claim makes it send nothing.
    hooks.advance(10 * 60_000);
    await waitUntil(() => delayedFiles().length === 0, 'the lost retry queued');
    await runtime?.idle();
    expect(receiver.received).toHaveLength(2);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
  }, 30_000);

  it('replays in bulk (`statuses: ["pending"]`) only the pending deliveries whose retry is long overdue', async () => {
    const hooks = new ManualTimers(Date.now());
    const admins = new ManualTimers(hooks.now());
    const subscriptionId = await failOnce(hooks, admins);
    const since = new Date(admins.now() - 3_600_000).toISOString();
    const bulk = async () => {
      const res = await api('POST', `/api/webhooks/${subscriptionId}/replay`, {
        since,
        statuses: ['pending'],
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { replayed: number }).replayed;
    };

    admins.advance(5_000 + STALLED_AFTER_MS - 1_000);
    expect(await bulk()).toBe(0);
    admins.advance(2_000);
    expect(await bulk()).toBe(1);
    await waitUntil(() => receiver.received.length === 2, 'the replay sent');
    await runtime?.idle();
    expect(receiver.received.map((r) => r.answer)).toEqual([500, 200]);
    // Asked again: what it replayed is on its way (or delivered), not stalled.
    expect(await bulk()).toBe(0);
  }, 30_000);
});
