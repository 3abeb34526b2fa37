import { describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { consoleLeaseInput } from '#shared/store/params/agents.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { inspectionClient } from '../support/table-snapshot.js';

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
    agent: { token: 'refill-crash-ana-token' },
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

  const { manual, idle, advance, whatsapp, api } = clock;
  const conversationOf = async (phone: string) => {
    const found = await api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${phone}`);
    return found.items[0]?.openConversationId as string;
  };

  it('refills Ana on the timer’s retry, with one conversation for her one slot', async () => {
    const doc = documentClient(inspectionClient(clock.runtime.dynamoEndpoint));
    const lease = { kind: 'seen' as const, agentId: 'agent-ana', connectionId: 'console-ana' };
    await doc.update(consoleLeaseInput('threadline', { ...lease, untilMs: manual.now() + 86_400_000 }));
    await whatsapp({ from: '447700900691', id: 'wamid.refill-crash-1', text: 'Where is my order?' });
    const first = await conversationOf('447700900691');
    const me = { queues: ['general'], languages: ['en'], capacity: 1, presence: 'online' };
    await api('PUT', '/api/agents/me', me);
    await api('POST', `/api/conversations/${first}/assign`, { agentId: 'me', queue: 'general' });
    const reply = await clock.call('POST', `/api/conversations/${first}/replies`, { text: 'It left today' });
    expect(reply.status).toBe(202);
    await idle();

    // Two more customers write while Ana is full: both wait in her queue.
    await advance(10 * MINUTE);
    await whatsapp({ from: '447700900692', id: 'wamid.refill-crash-2', text: 'Can I change my address?' });
    const second = await conversationOf('447700900692');
    await api('POST', `/api/conversations/${second}/assign`, { queue: 'general' });
    await advance(MINUTE);
    await whatsapp({ from: '447700900693', id: 'wamid.refill-crash-3', text: 'Do you ship abroad?' });
    const third = await conversationOf('447700900693');
    await api('POST', `/api/conversations/${third}/assign`, { queue: 'general' });

    // The first's silence reaches the hour: the timer resolves it, dies, and comes again.
    crashArmed = true;
    await advance(55 * MINUTE);
    await idle();
    expect(crashes, 'the timer died after the resolve').toBe(1);
    expect(await api<Conversation>('GET', `/api/conversations/${first}`)).toMatchObject({
      status: 'resolved',
      assignee: 'agent-ana',
    });
    // The one waiting longest is hers; the other still waits: one slot, one conversation.
    expect(await api<Conversation>('GET', `/api/conversations/${second}`)).toMatchObject({
      status: 'open',
      assignee: 'agent-ana',
    });
    expect((await api<Conversation>('GET', `/api/conversations/${third}`)).assignee).toBeUndefined();
    const agents = await api<{ items: Array<{ id: string; openConversations: number }> }>(
      'GET',
      '/api/agents',
    );
    expect(agents.items.find((a) => a.id === 'agent-ana')?.openConversations).toBe(1);
  }, 60_000);
});
