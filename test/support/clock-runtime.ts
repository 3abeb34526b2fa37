import { afterAll, beforeAll, expect } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from './manual-timers.js';
import { startTestRuntime } from './runtime.js';
import { deliver, signedMeta, whatsappText } from './webhooks.js';

/** What a test on the runtime's clock sets: its own secret, its one agent, its routing policy. */
export type ClockRuntimeOptions = Omit<NonNullable<Parameters<typeof startTestRuntime>[0]>, 'manualTime'> & {
  /** The Meta app secret the test signs its WhatsApp webhooks with. */
  metaSecret: string;
  /** The one agent (`agent-ana`): their token, and whether they are an admin. */
  agent: { token: string; admin?: boolean };
  /** The routing policy file (`shippedPolicyFileWith`): the targets, rules and timers under test. */
  policyFile: string;
  /**
   * Where manual time starts (ms); the current whole second without it. A test that asks for a day's
   * figures or list (`from=`/`to=`) starts at a fixed time (`NOON_UTC`), so no run crosses a midnight.
   */
  start?: number;
};

/** Noon UTC of a fixed day (after 2026-12-06, in Berlin's winter time): days away from either midnight. */
export const NOON_UTC = Date.parse('2026-12-10T12:00:00.000Z');

/** One inbound WhatsApp text message; `extra` is merged into it (an interactive reply, a context...). */
export interface WhatsappMessage {
  from: string;
  id: string;
  text?: string;
  name?: string;
  extra?: Record<string, unknown>;
}

/** The runtime of a describe block on manual time, with the steps its tests take again and again. */
export interface ClockRuntime {
  /** The runtime's time: it moves only when the test says so. */
  readonly manual: ManualTimers;
  /** The running runtime (from the block's `beforeAll` on; read it inside a test, not when destructuring). */
  readonly runtime: LocalRuntime;
  /** Waits until everything queued has been handled (time does not move). */
  idle(): Promise<void>;
  /** Moves time forward by `ms`, running every timer that falls due, and waits for what they queued. */
  advance(ms: number): Promise<void>;
  /** The customer writes on WhatsApp at the runtime's time; the webhook must be taken (200), then handled. */
  whatsapp(message: WhatsappMessage): Promise<void>;
  /** The agent's JSON call: its status and parsed body, checking neither (for tests of refusals). */
  call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** The agent's JSON call that must answer 200: its parsed body. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/**
 * Starts the local runtime on manual time before the describe block's tests and closes it after: the
 * durable timers, the conversation clock and the runtime's clock all read `manual`, which starts at the
 * current whole second (webhooks carry whole seconds, so a message's time is the clock's own) unless
 * the test says where (`start`). The tests of timers (SLA, auto-resolve, snooze, automations, surveys)
 * all set up the same way and then write as the customer, act as the agent and move time; those steps
 * are here so each test reads as its scenario. Like `useLocalStore`, the runtime is there once the block's `beforeAll` has run.
 */
export function useClockRuntime(options: ClockRuntimeOptions): ClockRuntime {
  const { metaSecret, agent, policyFile, env, start, ...rest } = options;
  const manual = new ManualTimers(start ?? Math.floor(Date.now() / 1000) * 1000);
  let started: LocalRuntime | undefined;
  const running = (): LocalRuntime => {
    if (!started) throw new Error('the runtime starts in beforeAll: use it inside a test');
    return started;
  };
  beforeAll(async () => {
    started = await startTestRuntime({
      ...rest,
      env: {
        META_APP_SECRET: metaSecret,
        AGENT_TOKENS: `agent-ana:${agent.token}${agent.admin ? ':admin' : ''}`,
        ROUTING_POLICY_FILE: policyFile,
        ...env,
      },
      manualTime: manual,
    });
  });
  afterAll(async () => {
    await started?.close();
  });

  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${running().url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${agent.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    manual,
    get runtime() {
      return running();
    },
    idle: () => running().idle(),
    async advance(ms) {
      manual.advance(ms);
      await running().idle();
    },
    async whatsapp({ from, id, text = '', name, extra }) {
      const at = new Date(manual.now()).toISOString();
      const payload = whatsappText({ from, ...(name ? { name } : {}), messages: [{ id, at, text, extra }] });
      const answer = await deliver(signedMeta(running().url, '/webhooks/whatsapp', payload, metaSecret));
      expect(answer.status, `webhook ${id}`).toBe(200);
      await running().idle();
    },
    call,
    async api<T>(method: string, path: string, body?: unknown) {
      const answer = await call<T>(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(200);
      return answer.body;
    },
  };
}
