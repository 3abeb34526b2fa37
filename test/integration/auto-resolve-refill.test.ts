import { describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import {
  anaFullWithSilentConversation,
  expectAnaTookInItsPlace,
  waitingInGeneral,
} from '../support/refill-scenario.js';

const MINUTE = 60_000;

/**
 * Time moves only when the test says so. An agent whose conversation the auto-resolve closes has room
 * again: they take the conversation waiting longest in their queue, as after their own resolve.
 */
describe('local runtime: the auto-resolve refills the agent who had the conversation', () => {
  const clock = useClockRuntime({
    metaSecret: 'refill-resolve-meta-secret',
    agent: { token: agentToken('refill-resolve-ana-token') },
    policyFile: shippedPolicyFileWith((policy) => {
      policy.autoResolve = { after: 'PT1H' };
    }),
  });

  const { advance, api } = clock;

  it('gives Ana, full, the waiting conversation once her silent one auto-resolves', async () => {
    const first = await anaFullWithSilentConversation(clock, '447700900591');

    // A second customer writes: Ana is full, so it waits.
    await advance(10 * MINUTE);
    const second = await waitingInGeneral(clock, '447700900592', 'Can I change my address?');
    expect((await api<Conversation>('GET', `/api/conversations/${second}`)).assignee).toBeUndefined();

    // The first's silence reaches the hour: it resolves, and Ana takes the second.
    await advance(55 * MINUTE);
    await expectAnaTookInItsPlace(clock, first, second);
  }, 60_000);
});
