import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { isRemovalLook, type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { type LiveClient, openConsole } from '../support/live-client.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'away-meta-secret';
const ANA = agentToken('away-ana-token');
const BOB = agentToken('away-bob-token');
const MINUTE = 60_000;
const ONLINE = { presence: 'online', queues: ['general'], languages: ['en'], capacity: 3 };

/**
 * A support team's day through the local runtime, on a manual clock: conversations held by an agent
 * who left (their console closed past the grace, or they set Away) go back to their queue and on to an
 * agent at the console, with the reason on the timeline; a reload keeps them; an agent back at the
 * console takes what waits, up to their room; `PUT /api/agents/me` reads no inbox when the agent can
 * take nothing.
 */
describe('local runtime: an absent agent\u2019s waiting conversations go back to their queue', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;
  let calls: RecordedCall[] = [];
  const open: LiveClient[] = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: META_SECRET, AGENT_TOKENS: `agent-ana:${ANA}:admin,agent-bob:${BOB}` },
      routing: true,
      live: true,
      manualTime: manual,
      dynamoClient: (c) => {
        calls = recordCalls(c);
        return c;
      },
    });
  });

  afterAll(async () => {
    for (const client of open) client.ws.terminate();
    await runtime?.close();
  });

  const api = <T>(method: string, path: string, body?: unknown, token = ANA): Promise<T> =>
    agentCaller(() => runtime.url, token)<T>(method, path, body);
  const { find } = customerReads(api);
  const leaseOf = async (agentId: string) => {
    const { items } = await api<{ items: Array<{ id: string; connectedUntil?: string }> }>(
      'GET',
      '/api/agents',
    );
    return items.find((a) => a.id === agentId)?.connectedUntil;
  };
  /** Opens a console and waits until the server has had its connect (the agent's lease runs ahead). */
  const consoleOf = async (token: string, agentId: string) => {
    const client = await openConsole(runtime.port, token);
    open.push(client);
    await waitUntil(
      async () => Date.parse(String(await leaseOf(agentId))) > manual.now() + 2 * MINUTE,
      `${agentId}'s console lease renewed`,
    );
    return client;
  };
  const closeConsole = async (client: LiveClient, agentId: string) => {
    client.ws.close();
    await client.closed;
    const graceEnd = new Date(manual.now() + 2 * MINUTE).toISOString();
    await waitUntil(
      async () => (await leaseOf(agentId)) === graceEnd,
      `${agentId}'s console lease shortened to the grace`,
    );
  };
  const phoneOf = (n: number) => `+4477009005${String(n).padStart(2, '0')}`;
  const askForPerson = async (n: number): Promise<string> => {
    const payload = whatsappText({
      from: phoneOf(n).slice(1),
      name: `Customer ${n}`,
      messages: [
        {
          id: `wamid.AWAY${n}.${manual.now()}`,
          at: new Date(manual.now()).toISOString(),
          text: 'A person, please.',
        },
      ],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
    return (await find(phoneOf(n))).openConversationId as string;
  };
  const conversation = (id: string) => api<Conversation>('GET', `/api/conversations/${id}`);
  const assigneeOf = async (id: string) => (await conversation(id)).assignee;
  const returnedEvents = async (id: string) => {
    const { customerId } = await conversation(id);
    const { items } = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline`);
    return items.filter((item) => item.event === 'assigned' && item.data?.reason !== undefined);
  };
  const pass = async (ms: number) => {
    manual.advance(ms);
    await runtime.idle();
  };

  it('keeps an agent\u2019s conversations through a reload, then hands the waiting ones to an agent at the console', async () => {
    await api('PUT', '/api/agents/me', ONLINE, ANA);
    await api('PUT', '/api/agents/me', ONLINE, BOB);
    const ana = await consoleOf(ANA, 'agent-ana');
    const first = await askForPerson(1);
    const second = await askForPerson(2);
    expect([await assigneeOf(first), await assigneeOf(second)]).toEqual(['agent-ana', 'agent-ana']);
    // Ana answers the second: it no longer waits on us, so it stays hers whatever happens.
    await api('POST', `/api/conversations/${second}/replies`, { text: 'On it.' }, ANA);
    await runtime.idle();

    // A reload: her socket closes, another opens within the grace. Nothing moves.
    await closeConsole(ana, 'agent-ana');
    await pass(MINUTE);
    const reloaded = await consoleOf(ANA, 'agent-ana');
    await pass(3 * MINUTE);
    expect(await assigneeOf(first)).toBe('agent-ana');

    // She leaves for good; Bob is at his console. Past the grace and the sweep's minute, hers waits on Bob.
    await consoleOf(BOB, 'agent-bob');
    await closeConsole(reloaded, 'agent-ana');
    await pass(2 * MINUTE);
    expect(await assigneeOf(first)).toBe('agent-ana');
    await pass(MINUTE);
    expect(await assigneeOf(first)).toBe('agent-bob');
    expect(await assigneeOf(second)).toBe('agent-ana');
    const [event] = await returnedEvents(first);
    expect(event?.data).toMatchObject({
      reason: 'agent_offline',
      from: { agentId: 'agent-ana', queue: 'general' },
      to: { agentId: 'agent-bob', queue: 'general' },
      by: 'routing',
    });
    // Swept again (a timer firing twice or late): nothing more.
    await pass(3 * MINUTE);
    expect(await returnedEvents(first)).toHaveLength(1);
  }, 60_000);

  it('hands back at once the waiting conversations of an agent who sets Away: Unassigned in their queue when nobody is at a console', async () => {
    const first = (await find(phoneOf(1))).openConversationId as string;
    await api('PUT', '/api/agents/me', { presence: 'away' }, BOB);
    const now = await conversation(first);
    expect(now.assignee).toBeUndefined();
    expect(now.queue).toBe('general');
    expect((await returnedEvents(first)).map((e) => e.data?.reason)).toEqual(['agent_offline', 'agent_away']);
  }, 60_000);

  it('gives an agent back at the console the waiting conversations of their queues, up to their room', async () => {
    const third = await askForPerson(3);
    // A second later, so the two wait in a known order (a tie goes by the random conversation id).
    await pass(1_000);
    const fourth = await askForPerson(4);
    const first = (await find(phoneOf(1))).openConversationId as string;
    expect(await assigneeOf(third)).toBeUndefined();
    // Ana comes back (online as she left it): within the sweep's minute she takes what waits, up to her
    // capacity of 3 (she holds one answered conversation), the longest waiting first.
    await consoleOf(ANA, 'agent-ana');
    await pass(MINUTE);
    expect([await assigneeOf(first), await assigneeOf(third), await assigneeOf(fourth)]).toEqual([
      'agent-ana',
      'agent-ana',
      undefined,
    ]);
  }, 60_000);

  it('reads no inbox when PUT /api/agents/me leaves the agent unable to take any', async () => {
    calls.length = 0;
    await api('PUT', '/api/agents/me', { languages: ['en', 'fr'] }, BOB);
    const bobAway = calls.filter((c) => !isRemovalLook(c)).map((c) => c.command);
    calls.length = 0;
    await api('PUT', '/api/agents/me', { capacity: 3 }, ANA);
    const anaFull = calls.filter((c) => !isRemovalLook(c)).map((c) => c.command);
    // Each: the agent read, the write, its audit record (three index entries, then the record), their
    // role noted, the agent read strongly (and an online one's lease). Before, the unassigned inbox too:
    // 129 shard queries and its 200 conversations.
    const audited = ['PutItem', 'PutItem', 'PutItem', 'PutItem', 'UpdateItem'];
    expect(bobAway).toEqual(['GetItem', 'UpdateItem', ...audited, 'GetItem']);
    expect(anaFull).toEqual(['GetItem', 'UpdateItem', ...audited, 'GetItem', 'GetItem']);
  }, 60_000);
});
