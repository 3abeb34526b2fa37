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
 * The auto-resolve's timer dies right after the resolve's write lands (a throw there, as a dying
 * process leaves it): the timer comes again and finds the conversation resolved. That retry must do
 * what the first run left undone, the refill of the agent who had it included, and give them one
 * conversation for their one slot however often it runs. Time moves only when the test says so.
 */
describe('local runtime: a crash between the auto-resolve and the refill', () => {
  let crashArmed = false;
  let crashes = 0;
  const clock = useClockRuntime({
    metaSecret: 'refill-crash-meta-secret',
    agent: { token: agentToken('refill-crash-ana-token') },
    policyFile: shippedPolicyFileWith((policy) => {
      policy.autoResolve = { after: 'PT1H' };
    }),
    queue: { visibilityTimeoutMs: 50 },
    dynamoClient: (client) => {
      client.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { Key?: { pk?: unknown }; UpdateExpression?: string };
          const hit =
            crashArmed &&
            String(input.Key?.pk ?? '').startsWith('CONVERSATION#') &&
            (input.UpdateExpression ?? '').includes('resolvedBy = :agent');
          const out = await next(args);
          if (hit) {
            crashArmed = false;
            crashes += 1;
            throw new Error('the timer died right after the auto-resolve');
          }
          return out;
        },
        { step: 'initialize', name: 'crashAfterAutoResolve' },
      );
      return client;
    },
  });

  const { idle, advance, api } = clock;

  it('refills Ana on the timer’s retry, with one conversation for her one slot', async () => {
    const first = await anaFullWithSilentConversation(clock, '447700900691');
    // Two more customers write while Ana is full: both wait in her queue.
    await advance(10 * MINUTE);
    const second = await waitingInGeneral(clock, '447700900692', 'Can I change my address?');
    await advance(MINUTE);
    const third = await waitingInGeneral(clock, '447700900693', 'Do you ship abroad?');

    // The first's silence reaches the hour: the timer resolves it, dies, and comes again.
    crashArmed = true;
    await advance(55 * MINUTE);
    await idle();
    expect(crashes, 'the timer died after the resolve').toBe(1);
    // The one waiting longest is hers; the other still waits: one slot, one conversation.
    await expectAnaTookInItsPlace(clock, first, second);
    expect((await api<Conversation>('GET', `/api/conversations/${third}`)).assignee).toBeUndefined();
    const agents = await api<{ items: Array<{ id: string; openConversations: number }> }>(
      'GET',
      '/api/agents',
    );
    expect(agents.items.find((a) => a.id === 'agent-ana')?.openConversations).toBe(1);
  }, 60_000);
});
