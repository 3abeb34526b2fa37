import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '#shared/domain/assignment.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type LiveClient, openConsole } from '../support/live-client.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'capacity-meta-secret';
const ANA = agentToken('capacity-ana-token');

/**
 * Routing's capacity limit through the local runtime: Ana takes two conversations at once; three
 * customers ask for a person, the third waits in the queue; when Ana resolves one she gets the waiting
 * one; a redelivered hand-off counts nothing twice; an erased customer's conversation leaves her count.
 */
describe('local runtime: agents\u2019 capacity', () => {
  let runtime: LocalRuntime;
  let anaConsole: LiveClient | undefined;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: META_SECRET, AGENT_TOKENS: `agent-ana:${ANA}:admin` },
      routing: true,
      live: true,
      queue: { visibilityTimeoutMs: 1000 },
    });
    // Ana works at her console: routing gives conversations only to an online agent who has one open.
    anaConsole = await openConsole(runtime.port, ANA);
  });

  afterAll(async () => {
    anaConsole?.ws.terminate();
    await runtime?.close();
  });

  const api = <T>(method: string, path: string, body?: unknown): Promise<T> =>
    agentCaller(() => runtime.url, ANA)<T>(method, path, body);
  const { find } = customerReads(api);
  const open = async (): Promise<number | undefined> =>
    (await api<{ items: Agent[] }>('GET', '/api/agents')).items.find((a) => a.id === 'agent-ana')
      ?.openConversations;
  // The search once per customer, then reads by id: the search and the inbox read every shard of
  // their indexes (65 and 129 queries), which on a loaded machine took most of this test's time.
  const customerIds = new Map<string, string>();
  const customerIdOf = async (phone: string): Promise<string> => {
    const known = customerIds.get(phone);
    if (known) return known;
    const { id } = await find(phone);
    customerIds.set(phone, id);
    return id;
  };
  const conversationOf = async (phone: string): Promise<Conversation> => {
    const customerId = await customerIdOf(phone);
    const { openConversationId } = await api<Customer>('GET', `/api/customers/${customerId}`);
    return api<Conversation>('GET', `/api/conversations/${openConversationId}`);
  };
  const askForPerson = async (n: number, at = new Date().toISOString()) => {
    const payload = whatsappText({
      from: `44770090020${n}`,
      name: `Customer ${n}`,
      messages: [{ id: `wamid.CAP${n}`, at, text: 'I want to speak to a person, please.' }],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
    return at;
  };

  it('hands a third conversation to nobody while Ana is full, and to her when she frees up', async () => {
    await api('PUT', '/api/agents/me', {
      presence: 'online',
      queues: ['general'],
      languages: ['en'],
      capacity: 2,
    });
    const first = await askForPerson(1);
    await askForPerson(2);
    await askForPerson(3);
    expect((await conversationOf('+447700900201')).assignee).toBe('agent-ana');
    expect((await conversationOf('+447700900202')).assignee).toBe('agent-ana');
    const third = await conversationOf('+447700900203');
    expect(third).toMatchObject({ queue: 'general' });
    expect(third.assignee).toBeUndefined();
    expect(await open()).toBe(2);

    // The first hand-off delivered again: nothing counted twice.
    await askForPerson(1, first);
    expect(await open()).toBe(2);

    // Ana resolves the first: she has room, and takes the one waiting.
    const one = await conversationOf('+447700900201');
    await api('POST', `/api/conversations/${one.id}/resolve`, { csat: false });
    // The refill runs after the answer: its timer, due at once, goes through the timers queue.
    await runtime.idle();
    expect((await conversationOf('+447700900203')).assignee).toBe('agent-ana');
    expect(await open()).toBe(2);

    // The second customer is erased: their conversation leaves Ana's count.
    await api('DELETE', `/api/customers/${await customerIdOf('+447700900202')}`);
    expect(await open()).toBe(1);
  });
});
