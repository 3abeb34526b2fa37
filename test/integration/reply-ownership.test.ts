import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '#shared/domain/assignment.js';
import type { Conversation } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'ownership-meta-secret';
const TOKENS = { 'agent-ana': 'ownership-ana-token', 'agent-bob': 'ownership-bob-token' };
const [ANA, BOB] = Object.values(TOKENS) as [string, string];

/**
 * An agent's reply takes an unassigned conversation, through the local runtime: the AI's answer
 * leaves it unassigned; two agents replying at once give it to one of them, counted in that agent's
 * load only; a later reply by the other takes nothing from the owner.
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
  const { find, timeline } = customerReads(api);
  const conversation = async (id: string) =>
    (await api<{ items: Conversation[] }>('GET', '/api/conversations?status=open&limit=200')).items.find(
      (c) => c.id === id,
    );
  const load = async () =>
    Object.fromEntries(
      (await api<{ items: Agent[] }>('GET', '/api/agents')).items.map((a) => [a.id, a.openConversations]),
    );

  it('leaves an AI-answered conversation unassigned, and gives it to one of two agents replying at once', async () => {
    const payload = whatsappText({
      from: '447700900411',
      name: 'Olga',
      messages: [{ id: 'wamid.OWN1', at: new Date().toISOString(), text: 'How long does shipping take?' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    const customer = await find('+447700900411');
    const id = customer.openConversationId as string;
    expect(runtime.outbox.entries().filter((e) => e.message.author.kind === 'ai')).toHaveLength(1);
    expect((await conversation(id))?.assignee).toBeUndefined();

    const away = { presence: 'away', queues: ['general'], languages: ['en'] };
    await api('PUT', '/api/agents/me', away, ANA);
    await api('PUT', '/api/agents/me', away, BOB);
    await Promise.all([
      api('POST', `/api/conversations/${id}/replies`, { text: 'Ana here.' }, ANA),
      api('POST', `/api/conversations/${id}/replies`, { text: 'Bob here.' }, BOB),
    ]);
    await runtime.idle();
    const owner = (await conversation(id))?.assignee;
    expect(['agent-ana', 'agent-bob']).toContain(owner);
    const other = owner === 'agent-ana' ? 'agent-bob' : 'agent-ana';
    expect(await load()).toEqual({ [owner as string]: 1, [other]: 0 });

    await api(
      'POST',
      `/api/conversations/${id}/replies`,
      { text: 'Me again.' },
      other === 'agent-ana' ? ANA : BOB,
    );
    await runtime.idle();
    expect((await conversation(id))?.assignee).toBe(owner);
    expect(await load()).toEqual({ [owner as string]: 1, [other]: 0 });
    const assigned = (await timeline(customer.id)).filter((i) => i.event === 'assigned');
    expect(assigned.map((i) => [i.data?.by, i.data?.to])).toEqual([[owner, { agentId: owner, queue: null }]]);
  }, 30_000);
});
