import { afterAll, beforeAll, expect } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { agentFetcher } from './agent-api.js';
import { agentToken } from './agent-token.js';
import { alwaysOpenPolicyFile } from './policy-file.js';
import { idleAfterLaterLooks, startTestRuntime } from './runtime.js';
import { startReceiver } from './webhook-receiver.js';
import { deliver, signedMeta, whatsappText } from './webhooks.js';

const SECRET = 'unmerge-erase-meta-secret';
const ADMIN = agentToken('unmerge-erase-admin-token');

/**
 * The unmerge-then-erase tests' runtime (routing, events, live; its queue on a stepped clock) and a
 * webhook receiver answering 200, started before the describe's tests and closed after them, with an
 * admin's API and a signed WhatsApp message that waits for the runtime's later looks.
 */
export function unmergeEraseRuntime() {
  let runtime: LocalRuntime | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  const queueTime = new SteppedTimers();
  beforeAll(async () => {
    receiver = await startReceiver(() => 200);
    runtime = await startTestRuntime({
      live: true,
      events: true,
      routing: true,
      queue: { timers: queueTime },
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
