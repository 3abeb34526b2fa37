import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '#shared/domain/assignment.js';
import type { Conversation } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type LiveClient, openConsole } from '../support/live-client.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'presence-meta-secret';
const ANA = agentToken('presence-ana-token');
const BOB = agentToken('presence-bob-token');
const MINUTE = 60_000;

/**
 * QA's weekend: agents registered `online` who closed the console were still handed conversations.
 * Through the local runtime, on a manual clock: a hand-off goes only to an online agent with a console
 * open (or closed less than 2 minutes ago); with none, it waits Unassigned in its queue; an agent who
 * comes back is what they chose before; a console left open stays counted as its pings renew it.
 */
describe('local runtime: only agents at the console get hand-offs', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;
  const open: LiveClient[] = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: META_SECRET, AGENT_TOKENS: `agent-ana:${ANA}:admin,agent-bob:${BOB}` },
      routing: true,
      live: true,
      manualTime: manual,
    });
  });

  afterAll(async () => {
    for (const client of open) client.ws.terminate();
    await runtime?.close();
  });

  const api = <T>(method: string, path: string, body?: unknown, token = ANA): Promise<T> =>
    agentCaller(() => runtime.url, token)<T>(method, path, body);
  const { find } = customerReads(api);
  const agents = async () => (await api<{ items: Agent[] }>('GET', '/api/agents')).items;
  const consoleOf = async (token: string) => {
    const client = await openConsole(runtime.port, token);
    open.push(client);
    return client;
  };
  /** Closes a console and waits until the server has had its close (the agent's lease shortened). */
  const closeConsole = async (client: LiveClient, agentId: string) => {
    client.ws.close();
    await client.closed;
    const graceEnd = new Date(manual.now() + 2 * MINUTE).toISOString();
    await waitUntil(
      async () => (await agents()).find((a) => a.id === agentId)?.connectedUntil === graceEnd,
      `${agentId}'s console lease shortened to the grace`,
    );
  };
  /** Customer n asks for a person; answers their conversation once routing is done. */
  const askForPerson = async (n: number): Promise<Conversation> => {
    const phone = `+4477009004${String(n).padStart(2, '0')}`;
    const payload = whatsappText({
      from: phone.slice(1),
      name: `Customer ${n}`,
      messages: [
        { id: `wamid.PRES${n}`, at: new Date(manual.now()).toISOString(), text: 'A person, please.' },
      ],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
    const id = (await find(phone)).openConversationId as string;
    return api<Conversation>('GET', `/api/conversations/${id}`);
  };

  it('hands off to the agent at the console, keeps them through a reload, then leaves it Unassigned', async () => {
    const online = { presence: 'online', queues: ['general'], languages: ['en'], capacity: 5 };
    await api('PUT', '/api/agents/me', online, ANA);
    await api('PUT', '/api/agents/me', online, BOB);
    // Ana is online with no console: passed over, though she sorts first (same load and room, id).
    const bob = await consoleOf(BOB);
    expect((await askForPerson(1)).assignee).toBe('agent-bob');

    // Bob closes his console: within the 2 minutes' grace (a reload, a blip) he still counts.
    await closeConsole(bob, 'agent-bob');
    manual.advance(MINUTE);
    expect((await askForPerson(2)).assignee).toBe('agent-bob');

    // Past the grace nobody is at a console: the hand-off waits in its queue, Unassigned.
    manual.advance(2 * MINUTE);
    const waiting = await askForPerson(3);
    expect(waiting.assignee).toBeUndefined();
    expect(waiting.queue).toBe('general');
    const unassigned = await api<{ items: Conversation[] }>(
      'GET',
      '/api/conversations?status=open&assignee=unassigned&limit=200',
    );
    expect(unassigned.items.map((c) => c.id)).toContain(waiting.id);
    // Both still show what they chose; the list says until when each counted as at the console.
    const listed = await agents();
    expect(listed.map((a) => [a.id, a.presence])).toEqual([
      ['agent-ana', 'online'],
      ['agent-bob', 'online'],
    ]);
    expect(listed.find((a) => a.id === 'agent-ana')?.connectedUntil).toBeUndefined();
    expect(Date.parse(String(listed.find((a) => a.id === 'agent-bob')?.connectedUntil))).toBeLessThan(
      manual.now(),
    );
  });

  it('hands off again to an agent who opens a console, as they chose, and keeps one left open by its pings', async () => {
    const ana = await consoleOf(ANA);
    expect((await askForPerson(4)).assignee).toBe('agent-ana');
    await closeConsole(ana, 'agent-ana');
    manual.advance(3 * MINUTE);
    // Bob comes back: online as he left it, no need to set it again.
    const bob = await consoleOf(BOB);
    expect((await askForPerson(5)).assignee).toBe('agent-bob');
    // His console stays open for 15 minutes, pinging every 5 (as the console does): still his.
    for (let i = 0; i < 3; i += 1) {
      manual.advance(5 * MINUTE);
      bob.send({ type: 'ping' });
      await bob.next(
        (frame) => frame.type === 'pong' && bob.frames.filter((f) => f.type === 'pong').length > i,
      );
    }
    expect((await askForPerson(6)).assignee).toBe('agent-bob');
  });
});
