import { describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';

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
  const { manual, idle, advance, whatsapp, call } = useClockRuntime({
    metaSecret: 'snooze-resolve-meta-secret',
    agent: { token: agentToken('snooze-resolve-ana-token'), admin: true },
    policyFile: policyFile(),
  });

  it('resolves at the end of a snooze longer than the silence, not before', async () => {
    await whatsapp({ from: '447700900581', id: 'wamid.snooze-1', text: 'Is it shipped?' });
    const found = await call<{ items: Customer[] }>('GET', '/api/customers?q=%2B447700900581');
    const id = found.body.items[0]?.openConversationId as string;
    expect((await call('POST', `/api/conversations/${id}/replies`, { text: 'Let me check' })).status).toBe(
      202,
    );
    await idle();
    const until = new Date(manual.now() + 3 * 60 * MINUTE).toISOString();
    expect((await call('POST', `/api/conversations/${id}/snooze`, { until })).status).toBe(200);

    // The silence's hour passes under the snooze: still open, still snoozed.
    await advance(90 * MINUTE);
    const snoozed = await call<Conversation>('GET', `/api/conversations/${id}`);
    expect(snoozed.body).toMatchObject({ status: 'open', snoozedUntil: until });

    // At the snooze's end the customer has still not written: now it resolves, once.
    await advance(90 * MINUTE);
    const resolved = await call<Conversation>('GET', `/api/conversations/${id}`);
    expect(resolved.body.status).toBe('resolved');
    expect(resolved.body.resolvedAt).toBe(until);
  });
});
