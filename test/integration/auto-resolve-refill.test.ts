import { describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { consoleLeaseInput } from '#shared/store/params/agents.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { inspectionClient } from '../support/table-snapshot.js';

const MINUTE = 60_000;

/**
 * Time moves only when the test says so. An agent whose conversation the auto-resolve closes has room
 * again: they take the conversation waiting longest in their queue, as after their own resolve.
 */
describe('local runtime: the auto-resolve refills the agent who had the conversation', () => {
  const clock = useClockRuntime({
    metaSecret: 'refill-resolve-meta-secret',
    agent: { token: 'refill-resolve-ana-token' },
    policyFile: shippedPolicyFileWith((policy) => {
      policy.autoResolve = { after: 'PT1H' };
    }),
  });

  const { manual, idle, advance, whatsapp, api } = clock;
  const conversationOf = async (phone: string) => {
    const found = await api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${phone}`);
    return found.items[0]?.openConversationId as string;
  };

  it('gives Ana, full, the waiting conversation once her silent one auto-resolves', async () => {
    // Ana's console is open (what a live socket's connect writes) for longer than the test's time.
    const doc = documentClient(inspectionClient(clock.runtime.dynamoEndpoint));
    const lease = { kind: 'seen' as const, agentId: 'agent-ana', connectionId: 'console-ana' };
    await doc.update(consoleLeaseInput('threadline', { ...lease, untilMs: manual.now() + 86_400_000 }));
    await whatsapp({ from: '447700900591', id: 'wamid.refill-1', text: 'Where is my order?' });
    const first = await conversationOf('447700900591');
    const me = { queues: ['general'], languages: ['en'], capacity: 1, presence: 'online' };
    await api('PUT', '/api/agents/me', me);
    await api('POST', `/api/conversations/${first}/assign`, { agentId: 'me', queue: 'general' });
    const reply = await clock.call('POST', `/api/conversations/${first}/replies`, { text: 'It left today' });
    expect(reply.status).toBe(202);
    await idle();

    // A second customer writes: Ana is full, so it waits.
    await advance(10 * MINUTE);
    await whatsapp({ from: '447700900592', id: 'wamid.refill-2', text: 'Can I change my address?' });
    const second = await conversationOf('447700900592');
    await api('POST', `/api/conversations/${second}/assign`, { queue: 'general' });
    expect((await api<Conversation>('GET', `/api/conversations/${second}`)).assignee).toBeUndefined();

    // The first's silence reaches the hour: it resolves, and Ana takes the second.
    await advance(55 * MINUTE);
    expect(await api<Conversation>('GET', `/api/conversations/${first}`)).toMatchObject({
      status: 'resolved',
      assignee: 'agent-ana',
    });
    expect(await api<Conversation>('GET', `/api/conversations/${second}`)).toMatchObject({
      status: 'open',
      assignee: 'agent-ana',
    });
  }, 60_000);
});
