import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'held-meta-secret';
const LEAD = agentToken('held-lead-token');
const BOB = agentToken('held-bob-token');
const CAT = agentToken('held-cat-token');
const DOT = agentToken('held-dot-token');
const MINUTE = 60_000;
const ONLINE = { presence: 'online', queues: ['general'], languages: ['en'], capacity: 5 };

/**
 * What a removed agent still holds (the conversations they had answered) through the local runtime, on
 * a manual clock: a customer who writes again, or a reopen, puts the conversation back in its queue
 * within the absent-agent sweep's minute (reason `agent_removed`), as for an agent who left; an admin
 * lists who holds what (`GET /api/agents/removed`); a restored agent counts what they hold.
 */
describe('local runtime: the conversations a removed agent still holds', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `lead:${LEAD}:admin,bob:${BOB},cat:${CAT},dot:${DOT}`,
      },
      routing: true,
      manualTime: manual,
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const api = <T>(method: string, path: string, body?: unknown, token = LEAD): Promise<T> =>
    agentCaller(() => runtime.url, token)<T>(method, path, body);
  /** A call answering no body (204): its status. */
  const bare = async (method: string, path: string) =>
    (await fetch(`${runtime.url}${path}`, { method, headers: { authorization: `Bearer ${LEAD}` } })).status;
  const { find } = customerReads(api);
  const phoneOf = (n: number) => `+4477009007${String(n).padStart(2, '0')}`;
  let sent = 0;
  const write = async (n: number, text = 'A person, please.'): Promise<string> => {
    // A second on, so each message comes after what was said before it.
    await pass(1_000);
    sent += 1;
    const payload = whatsappText({
      from: phoneOf(n).slice(1),
      name: `Customer ${n}`,
      messages: [{ id: `wamid.HELD${n}.${sent}`, at: new Date(manual.now()).toISOString(), text }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    return (await find(phoneOf(n))).openConversationId as string;
  };
  const conversation = (id: string) => api<Conversation>('GET', `/api/conversations/${id}`);
  const pass = async (ms: number) => {
    manual.advance(ms);
    await runtime.idle();
  };
  const reasons = async (id: string) => {
    const { customerId } = await conversation(id);
    const { items } = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline`);
    return items.filter((item) => item.event === 'assigned' && item.data?.reason).map((i) => i.data?.reason);
  };
  const removedList = async () =>
    (await api<{ items: Array<{ id: string; openConversations: number }> }>('GET', '/api/agents/removed'))
      .items;
  const bobListed = async () =>
    (await api<{ items: Array<{ id: string; openConversations: number }> }>('GET', '/api/agents')).items.find(
      (a) => a.id === 'bob',
    );

  const ids: string[] = [];

  it('hands back a conversation of a removed agent when its customer writes again, or it is reopened', async () => {
    await api('PUT', '/api/agents/me', ONLINE, BOB);
    // At his console all along (a lease that outlasts the test): only his removal takes him away.
    await runtime.store.consoleLeases.seen('bob', 'console-bob', manual.now() + 3_600_000);
    for (const n of [1, 2, 3, 4]) {
      const id = await write(n);
      ids.push(id);
      expect((await conversation(id)).assignee).toBe('bob');
      await api('POST', `/api/conversations/${id}/replies`, { text: 'Done, I think.' }, BOB);
      await runtime.idle();
    }
    expect(await bare('DELETE', '/api/agents/bob')).toBe(204);
    await runtime.idle();
    // Answered: they stay his, and an admin can see so.
    for (const id of ids) expect((await conversation(id)).assignee).toBe('bob');
    expect(await removedList()).toEqual([{ id: 'bob', openConversations: 4 }]);
    // Admins only: an agent is refused.
    const asCat = await fetch(`${runtime.url}/api/agents/removed`, {
      headers: { authorization: `Bearer ${CAT}` },
    });
    expect(asCat.status).toBe(403);

    // (a) the customer writes again; (b) an agent reopens one resolved; (c) one resolved, the customer writes.
    const [first, second, third] = ids as [string, string, string];
    await write(1, 'Still broken.');
    await api('POST', `/api/conversations/${second}/resolve`);
    await api('POST', `/api/conversations/${third}/resolve`);
    await runtime.idle();
    await api('POST', `/api/conversations/${second}/reopen`, undefined, CAT);
    await write(3, 'It broke again.');
    for (const id of [first, second, third]) expect((await conversation(id)).assignee).toBe('bob');

    // Within the sweep's minute they wait in their queue (nobody at a console to take them).
    await pass(MINUTE);
    for (const id of [first, second, third]) {
      const now = await conversation(id);
      expect([now.assignee, now.queue, now.status]).toEqual([undefined, 'general', 'open']);
      expect(await reasons(id)).toEqual(['agent_removed']);
    }
    expect(await removedList()).toEqual([{ id: 'bob', openConversations: 1 }]);
    // Swept again: nothing more.
    await pass(3 * MINUTE);
    expect(await reasons(first)).toEqual(['agent_removed']);
  }, 60_000);

  it('counts what a restored agent still holds, and hands it back when removed again', async () => {
    const fourth = ids[3] as string;
    expect(await bare('POST', '/api/agents/bob/restore')).toBe(204);
    await api('PUT', '/api/agents/me', ONLINE, BOB);
    expect(await bobListed()).toMatchObject({ id: 'bob', presence: 'online', openConversations: 1 });
    expect(await removedList()).toEqual([]);
    // His customer writes again while he is online: his to answer, until he is removed again.
    await write(4, 'One more thing.');
    expect((await conversation(fourth)).assignee).toBe('bob');
    expect(await bare('DELETE', '/api/agents/bob')).toBe(204);
    await runtime.idle();
    expect((await conversation(fourth)).assignee).toBeUndefined();
    expect(await reasons(fourth)).toEqual(['agent_removed']);
    expect(await removedList()).toEqual([{ id: 'bob', openConversations: 0 }]);
  }, 60_000);

  it('hands back what an agent who never registered took, when removed, and counts what they answered', async () => {
    // Dot (an integration's token) never calls PUT /api/agents/me, yet takes a waiting conversation,
    // and answers another (a reply assigns it to the one answering).
    const [taken, answered] = [await write(5), await write(6)];
    expect((await conversation(taken)).assignee).toBeUndefined();
    await api('POST', `/api/conversations/${taken}/assign`, { agentId: 'me' }, DOT);
    await api('POST', `/api/conversations/${answered}/replies`, { text: 'On it.' }, DOT);
    await runtime.idle();
    expect([(await conversation(taken)).assignee, (await conversation(answered)).assignee]).toEqual([
      'dot',
      'dot',
    ]);
    expect(await bare('DELETE', '/api/agents/dot')).toBe(204);
    await runtime.idle();
    const now = await conversation(taken);
    expect([now.assignee, now.queue, now.status]).toEqual([undefined, 'general', 'open']);
    expect(await reasons(taken)).toEqual(['agent_removed']);
    // The one answered stays Dot's, counted, and goes back once its customer writes again.
    expect((await conversation(answered)).assignee).toBe('dot');
    expect(await removedList()).toEqual([
      { id: 'bob', openConversations: 0 },
      { id: 'dot', openConversations: 1 },
    ]);
    await write(6, 'Any news?');
    await pass(MINUTE);
    expect((await conversation(answered)).assignee).toBeUndefined();
    expect(await reasons(answered)).toEqual(['agent_removed']);
    expect((await removedList()).find((a) => a.id === 'dot')).toEqual({ id: 'dot', openConversations: 0 });
    // Not listed among the agents, as a removed agent is not.
    const listed = await api<{ items: Array<{ id: string }> }>('GET', '/api/agents');
    expect(listed.items.map((a) => a.id)).not.toContain('dot');
  }, 60_000);
});
