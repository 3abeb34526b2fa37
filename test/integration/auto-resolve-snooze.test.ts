import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'snooze-resolve-meta-secret';
const ANA = 'snooze-resolve-ana-token';
const MINUTE = 60_000;

/** Auto-resolve after an hour of silence, and nothing else on the clock. */
function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.autoResolve = { after: 'PT1H' };
  });
}

/**
 * Time moves only when the test says so. A conversation an agent snoozed past the auto-resolve's
 * time is not resolved under the snooze: the auto-resolve waits for its end.
 */
describe('local runtime: auto-resolve waits for a snooze', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `agent-ana:${ANA}:admin`,
        ROUTING_POLICY_FILE: policyFile(),
      },
      manualTime: manual,
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const api = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ANA}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const advance = async (ms: number) => {
    manual.advance(ms);
    await runtime.idle();
  };

  it('resolves at the end of a snooze longer than the silence, not before', async () => {
    const payload = whatsappText({
      from: '447700900581',
      messages: [{ id: 'wamid.snooze-1', at: new Date(manual.now()).toISOString(), text: 'Is it shipped?' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    const found = await api<{ items: Customer[] }>('GET', '/api/customers?q=%2B447700900581');
    const id = found.body.items[0]?.openConversationId as string;
    expect((await api('POST', `/api/conversations/${id}/replies`, { text: 'Let me check' })).status).toBe(
      202,
    );
    await runtime.idle();
    const until = new Date(manual.now() + 3 * 60 * MINUTE).toISOString();
    expect((await api('POST', `/api/conversations/${id}/snooze`, { until })).status).toBe(200);

    // The silence's hour passes under the snooze: still open, still snoozed.
    await advance(90 * MINUTE);
    const snoozed = await api<Conversation>('GET', `/api/conversations/${id}`);
    expect(snoozed.body).toMatchObject({ status: 'open', snoozedUntil: until });

    // At the snooze's end the customer has still not written: now it resolves, once.
    await advance(90 * MINUTE);
    const resolved = await api<Conversation>('GET', `/api/conversations/${id}`);
    expect(resolved.body.status).toBe('resolved');
    expect(resolved.body.resolvedAt).toBe(until);
  });
});
