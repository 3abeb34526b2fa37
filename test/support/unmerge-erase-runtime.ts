import { afterAll, beforeAll, expect } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { LOCAL_SUBSCRIPTIONS_CACHE_MS } from '#shared/local/webhooks.js';
import { agentFetcher } from './agent-api.js';
import { agentToken } from './agent-token.js';
import { alwaysOpenPolicyFile } from './policy-file.js';
import { idleAfterLaterLooks, startTestRuntime } from './runtime.js';
import { startReceiver } from './webhook-receiver.js';
import { deliver, signedMeta, whatsappText } from './webhooks.js';

const SECRET = 'unmerge-erase-meta-secret';
const ADMIN = agentToken('unmerge-erase-admin-token');

/**
 * The unmerge-then-erase tests' runtime (routing, events, live; its queue on a stepped clock, its
 * webhooks on one that stands still between moves) and a webhook receiver answering 200, started before
 * the describe's tests and closed after them, with an admin's API, a subscription the events feed sees
 * from the next event on, and a signed WhatsApp message that waits for the runtime's later looks.
 */
export function unmergeEraseRuntime() {
  let runtime: LocalRuntime | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  const queueTime = new SteppedTimers();
  const hookTime = new SteppedTimers({ from: Date.now() });
  beforeAll(async () => {
    receiver = await startReceiver(() => 200);
    runtime = await startTestRuntime({
      live: true,
      events: true,
      routing: true,
      queue: { timers: queueTime },
      webhookTimers: hookTime,
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `admin-dpo:${ADMIN}:admin`,
        ROUTING_POLICY_FILE: alwaysOpenPolicyFile(),
      },
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });
  const started = () => {
    if (!runtime || !receiver) throw new Error('the runtime is not started');
    return { runtime, receiver };
  };
  const api = agentFetcher(() => started().runtime.url, ADMIN);
  return {
    get runtime() {
      return started().runtime;
    },
    get receiver() {
      return started().receiver;
    },
    queueTime,
    api,
    /**
     * Subscribes the receiver to `events`, then moves the webhooks' clock past the feed's keeping of
     * the list of subscriptions, so the events made next are the new subscription's too. The feed reads
     * the list at most once a second (30 s on AWS): on the process clock, a test's subscription made
     * less than a second after an earlier test's event was not seen by the events that followed (their
     * deliveries were never made, about half the runs of the replies test beside the others).
     */
    subscribe: async (events: string[]) => {
      const res = await api('POST', '/api/webhooks', { url: started().receiver.url, events });
      expect(res.status, await res.clone().text()).toBe(201);
      hookTime.advance(LOCAL_SUBSCRIPTIONS_CACHE_MS);
      return (await res.json()) as { id: string };
    },
    whatsapp: async (from: string, id: string, text: string) => {
      const at = new Date().toISOString();
      const payload = whatsappText({ from, name: `Name ${from}`, messages: [{ id, at, text }] });
      const url = started().runtime.url;
      expect((await deliver(signedMeta(url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
      await idleAfterLaterLooks(started().runtime, queueTime);
    },
    customer: async (id: string) => (await (await api('GET', `/api/customers/${id}`)).json()) as Customer,
  };
}
