import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '#shared/domain/assignment.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'ownership-meta-secret';
const TOKENS = {
  'agent-ana': agentToken('ownership-ana-token'),
  'agent-bob': agentToken('ownership-bob-token'),
  lead: agentToken('ownership-lead-token'),
};
const [ANA, BOB, LEAD] = Object.values(TOKENS) as [string, string, string];

type Answer = { status: number; json: { reply?: TimelineItem; error?: { code: string; message: string } } };

/**
 * An agent's reply takes an unassigned conversation, through the local runtime: the AI's answer
 * leaves it unassigned; of two agents replying at once one takes it and reaches the customer, the
 * other is refused `409` `assignee_changed` and nothing of theirs is sent; a later reply by the other
 * is refused too unless it names the holder (`expectedAssignee`), and then takes nothing from them.
 * A reply's `Idempotency-Key` retried after the conversation changed hands answers the first reply.
 */
describe('local runtime: replying takes ownership', () => {
  let runtime: LocalRuntime;
  const tokens = Object.entries(TOKENS).map(([agentId, token]) => `${agentId}:${token}`);
  beforeAll(async () => {
    const env = { META_APP_SECRET: META_SECRET, AGENT_TOKENS: tokens.join(',') };
    runtime = await startTestRuntime({ env, routing: true, queue: { visibilityTimeoutMs: 1000 } });
  });
  afterAll(() => runtime?.close());

  const api = <T>(method: string, path: string, body?: unknown, token = ANA): Promise<T> =>
    agentCaller(() => runtime.url, token)<T>(method, path, body);
  /** A reply, its status checked by the test, with an `Idempotency-Key` when given. */
  const reply = async (id: string, token: string, body: unknown, key?: string): Promise<Answer> => {
    const res = await fetch(`${runtime.url}/api/conversations/${id}/replies`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Answer['json'] };
  };
  const { find, timeline } = customerReads(api);
  const conversation = (id: string) => api<Conversation>('GET', `/api/conversations/${id}`);
  const load = async () =>
    Object.fromEntries(
      (await api<{ items: Agent[] }>('GET', '/api/agents')).items.map((a) => [a.id, a.openConversations]),
    );
  const agentTexts = () =>
    runtime.outbox
      .entries()
      .filter((e) => e.message.author.kind === 'agent')
      .map((e) => e.message.text);

  /** A new WhatsApp customer's conversation, answered by the AI (so nobody has it). */
  const unassigned = async (phone: string, wamid: string): Promise<{ id: string; customerId: string }> => {
    const payload = whatsappText({
      from: phone,
      name: 'Olga',
      messages: [{ id: wamid, at: new Date().toISOString(), text: 'How long does shipping take?' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    const customer = await find(`+${phone}`);
    return { id: customer.openConversationId as string, customerId: customer.id };
  };

  it('gives an unassigned conversation to one of two agents replying at once and refuses the other', async () => {
    const { id, customerId } = await unassigned('447700900411', 'wamid.OWN1');
    expect(runtime.outbox.entries().filter((e) => e.message.author.kind === 'ai')).toHaveLength(1);
    expect((await conversation(id)).assignee).toBeUndefined();

    const away = { presence: 'away', queues: ['general'], languages: ['en'] };
    for (const token of [ANA, BOB, LEAD]) await api('PUT', '/api/agents/me', away, token);
    const [ana, bob] = await Promise.all([
      reply(id, ANA, { text: 'Ana here.' }, 'own1-ana'),
      reply(id, BOB, { text: 'Bob here.' }, 'own1-bob'),
    ]);
    await runtime.idle();
    expect([ana.status, bob.status].sort()).toEqual([202, 409]);
    const refused = ana.status === 409 ? ana : bob;
    const owner = ana.status === 202 ? 'agent-ana' : 'agent-bob';
    const other = owner === 'agent-ana' ? 'agent-bob' : 'agent-ana';
    expect(refused.json.error?.code).toBe('assignee_changed');
    expect(refused.json.error?.message).toContain(owner);
    expect((await conversation(id)).assignee).toBe(owner);
    expect(await load()).toMatchObject({ [owner]: 1, [other]: 0 });
    expect(agentTexts()).toEqual([owner === 'agent-ana' ? 'Ana here.' : 'Bob here.']);

    // The other's reply later, on the view where nobody had it: refused, nothing sent.
    const otherToken = other === 'agent-ana' ? ANA : BOB;
    const again = await reply(id, otherToken, { text: 'Me again.' });
    expect(again.status).toBe(409);
    expect(again.json.error?.code).toBe('assignee_changed');
    // Naming the holder, the reply goes out beside theirs; the conversation stays theirs.
    const knowing = await reply(id, otherToken, { text: 'Me again.', expectedAssignee: owner });
    expect(knowing.status).toBe(202);
    const stale = await reply(id, otherToken, { text: 'Third.', expectedAssignee: 'lead' });
    expect(stale.status).toBe(409);
    await runtime.idle();
    expect((await conversation(id)).assignee).toBe(owner);
    expect(await load()).toMatchObject({ [owner]: 1, [other]: 0 });
    expect(agentTexts()).toHaveLength(2);
    const assigned = (await timeline(customerId)).filter((i) => i.event === 'assigned');
    expect(assigned.map((i) => [i.data?.by, i.data?.to])).toEqual([[owner, { agentId: owner, queue: null }]]);
  }, 60_000);

  it('leaves a conversation nobody has to nobody when the reply says it saw nobody (`expectedAssignee: ""`)', async () => {
    const { id, customerId } = await unassigned('447700900413', 'wamid.OWN3');
    const ack = await reply(id, LEAD, { text: 'We have your message.', expectedAssignee: '' }, 'own3-ack');
    expect(ack.status).toBe(202);
    await runtime.idle();
    expect((await conversation(id)).assignee).toBeUndefined();
    expect((await timeline(customerId)).filter((i) => i.event === 'assigned')).toEqual([]);
    expect(agentTexts()).toContain('We have your message.');
    // Once an agent has it, the same view is stale: refused, nothing sent.
    expect((await reply(id, BOB, { text: 'Bob takes it.' })).status).toBe(202);
    const stale = await reply(id, LEAD, { text: 'Second note.', expectedAssignee: '' });
    expect(stale.status).toBe(409);
    expect(stale.json.error?.code).toBe('assignee_changed');
    expect((await conversation(id)).assignee).toBe('agent-bob');
  }, 60_000);

  it('answers a retried Idempotency-Key with the first reply after the conversation changed hands', async () => {
    const { id } = await unassigned('447700900412', 'wamid.OWN2');
    const first = await reply(id, ANA, { text: 'On its way.' }, 'own2-ana');
    expect(first.status).toBe(202);
    expect((await conversation(id)).assignee).toBe('agent-ana');
    // Her own conversation: a reply without a key goes out as before.
    expect((await reply(id, ANA, { text: 'Anything else?' })).status).toBe(202);
    await api('POST', `/api/conversations/${id}/assign`, { agentId: 'agent-bob' }, LEAD);
    const retried = await reply(id, ANA, { text: 'On its way.' }, 'own2-ana');
    expect(retried.status).toBe(200);
    expect(retried.json.reply?.id).toBe(first.json.reply?.id);
    // A new reply of hers is Bob's to allow now.
    expect((await reply(id, ANA, { text: 'One more.' }, 'own2-ana-2')).status).toBe(409);
    await runtime.idle();
    const texts = runtime.outbox
      .entries()
      .filter((e) => e.message.conversationId === id && e.message.author.kind === 'agent')
      .map((e) => e.message.text);
    expect(texts).toEqual(['On its way.', 'Anything else?']);
  }, 60_000);
});
