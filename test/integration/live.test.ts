import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ConversationUpdatedEvent,
  EventsPage,
  HelloEvent,
  ServerFrame,
  TimelineItemEvent,
} from '#shared/domain/live/events.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { connectLiveClient, type LiveClient } from '../support/live-client.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const ANN = agentToken('live-ann-token');
const BOB = agentToken('live-bob-token');
const CAT = agentToken('live-cat-token');
const DAN = agentToken('live-dan-token');
const EVE = agentToken('live-eve-token');
const LEAD = agentToken('live-lead-token');
const FAY = agentToken('live-fay-token');

const isHello = (f: ServerFrame): f is HelloEvent => f.type === 'hello';
/** The `agent.load` frame saying `agentId` holds `open` conversations now. */
const loadOf = (agentId: string, open: number) => (f: ServerFrame) =>
  f.type === 'agent.load' && f.item.agentId === agentId && f.item.openConversations === open;
const timelineOf =
  (itemId: string) =>
  (f: ServerFrame): f is TimelineItemEvent =>
    f.type === 'timeline.item' && f.item.id === itemId;

describe('live updates through the local runtime', () => {
  let runtime: LocalRuntime;
  const open: LiveClient[] = [];
  const connect = async (token: string) => {
    const client = await connectLiveClient(`ws://127.0.0.1:${runtime.port}/api/live?token=${token}`);
    open.push(client);
    return client;
  };
  const whatsapp = async (id: string, text: string) => {
    const payload = whatsappText({
      from: '14155550177',
      name: 'Lia',
      messages: [{ id, at: new Date().toISOString(), text }],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta));
    expect(res.status).toBe(200);
  };
  const events = async (since: number) => {
    const res = await fetch(`${runtime.url}/api/events?since=${since}`, {
      headers: { Authorization: `Bearer ${ANN}` },
    });
    return { status: res.status, body: (await res.json()) as EventsPage & { error?: { code: string } } };
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({
      live: true,
      env: {
        AGENT_TOKENS: `agent-ann:${ANN},agent-bob:${BOB},agent-cat:${CAT},agent-dan:${DAN},agent-eve:${EVE},agent-fay:${FAY},lead:${LEAD}:admin`,
      },
    });
  });

  afterAll(async () => {
    for (const client of open) client.ws.terminate();
    await runtime?.close();
  });

  it('refuses a forged or missing token with 401 before the upgrade', async () => {
    await expect(connectLiveClient(`ws://127.0.0.1:${runtime.port}/api/live?token=forged`)).rejects.toThrow(
      'status 401',
    );
    await expect(connectLiveClient(`ws://127.0.0.1:${runtime.port}/api/live`)).rejects.toThrow('status 401');
  });

  it('refuses an agent an admin removed with 403 before the upgrade', async () => {
    await runtime.store.agents.markAgentRemoved('agent-cat', { at: new Date().toISOString(), by: 'lead' });
    await expect(connectLiveClient(`ws://127.0.0.1:${runtime.port}/api/live?token=${CAT}`)).rejects.toThrow(
      'status 403',
    );
  });

  it('shows a WhatsApp message as timeline.item and its conversation as conversation.updated', async () => {
    const ann = await connect(ANN);
    const hello = await ann.next(isHello);
    expect(hello.item).toMatchObject({ agentId: 'agent-ann', viewing: [] });
    await whatsapp('wamid.LIVE1', 'Where is my order?');
    const message = await ann.next(timelineOf('whatsapp:wamid.LIVE1'));
    expect(message.item).toMatchObject({ type: 'message', direction: 'inbound', text: 'Where is my order?' });
    expect(message.seq).toBeGreaterThan(hello.seq);
    const conversation = await ann.next(
      (f): f is ConversationUpdatedEvent =>
        f.type === 'conversation.updated' && f.conversationId === message.conversationId,
    );
    expect(conversation.item).toMatchObject({ status: 'open', customerId: message.customerId });
    expect(conversation.item).not.toHaveProperty('pk');
  });

  it('lets two agents see each other online, viewing and typing', async () => {
    const ann = open[0] ?? (await connect(ANN));
    const bob = await connect(BOB);
    const hello = await bob.next(isHello);
    expect(hello.item.agents.map((a) => a.agentId)).toEqual(['agent-ann', 'agent-bob']);
    await ann.next(
      (f) => f.type === 'presence' && f.item.agentId === 'agent-bob' && f.item.presence === 'online',
    );
    ann.send({ type: 'viewing', conversationId: 'conv_shared' });
    await bob.next(
      (f) =>
        f.type === 'viewing' &&
        f.conversationId === 'conv_shared' &&
        f.item.agentId === 'agent-ann' &&
        f.item.viewing,
    );
    ann.send({ type: 'typing', conversationId: 'conv_shared' });
    await bob.next((f) => f.type === 'typing' && f.item.agentId === 'agent-ann');
    const third = await connect(BOB);
    expect((await third.next(isHello)).item.viewing).toEqual([
      { conversationId: 'conv_shared', agentId: 'agent-ann' },
    ]);
    third.ws.close();
    bob.ws.close();
    await ann.next(
      (f) => f.type === 'presence' && f.item.agentId === 'agent-bob' && f.item.presence === 'offline',
    );
  });

  it("tells the sockets each agent's load as a take, a transfer and a resolve move it (agent.load)", async () => {
    const [ann, bob] = [agentCaller(() => runtime.url, ANN), agentCaller(() => runtime.url, BOB)];
    await ann('PUT', '/api/agents/me', {});
    await bob('PUT', '/api/agents/me', {});
    const socket = await connect(ANN);
    await socket.next(isHello);
    await whatsapp('wamid.LOAD1', 'Who has my case?');
    const { conversationId } = await socket.next(timelineOf('whatsapp:wamid.LOAD1'));
    const path = `/api/conversations/${conversationId}`;
    await ann('POST', `${path}/assign`, { agentId: 'me' });
    await socket.next(loadOf('agent-ann', 1));
    await ann('POST', `${path}/assign`, { agentId: 'agent-bob' });
    await socket.next(loadOf('agent-bob', 1));
    await socket.next(loadOf('agent-ann', 0));
    await bob('POST', `${path}/resolve`, {});
    await socket.next(loadOf('agent-bob', 0));
    // No load moved by the message itself, nor by the registrations.
    expect(socket.frames.filter((f) => f.type === 'agent.load')).toHaveLength(4);
    socket.ws.close();
    await socket.closed;
  });

  it('says an Away agent at the console is away: in a later console’s hello, and when they reconnect', async () => {
    const setPresence = (presence: string) =>
      fetch(`${runtime.url}/api/agents/me`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${FAY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ presence }),
      });
    expect((await setPresence('online')).status).toBe(200);
    const fay = await connect(FAY);
    await fay.next(isHello);
    expect((await setPresence('away')).status).toBe(200);
    // The lead opens the console afterwards (QA repro-3): Fay is away, as she chose, not online.
    const lead = await connect(LEAD);
    const hello = await lead.next(isHello);
    expect(hello.item.agents).toContainEqual({ agentId: 'agent-fay', presence: 'away' });
    expect(hello.item.agents).toContainEqual({ agentId: 'lead', presence: 'online' });
    fay.ws.close();
    const gone = (f: ServerFrame): f is Extract<ServerFrame, { type: 'presence' }> =>
      f.type === 'presence' && f.item.agentId === 'agent-fay';
    const offline = await lead.next((f) => gone(f) && f.item.presence === 'offline');
    // Back at the console, still Away: announced away (it was announced online).
    await connect(FAY);
    const back = await lead.next((f) => gone(f) && lead.frames.indexOf(f) > lead.frames.indexOf(offline));
    expect(back).toEqual({ type: 'presence', item: { agentId: 'agent-fay', presence: 'away' } });
  });

  it('answers bad frames with an error and closes the socket on an oversized one (1009)', async () => {
    const client = await connect(BOB);
    client.send('not json');
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_json' });
    client.send({ type: 'subscribe', conversationId: 'x' });
    expect(await client.next((f) => f.type === 'error' && f.code === 'bad_frame')).toBeTruthy();
    client.send({ type: 'ping' });
    await client.next((f) => f.type === 'pong');
    client.send({ type: 'typing', conversationId: 'x'.repeat(2000) });
    expect(await client.closed).toBe(1009);
  });

  it('gives a client that dropped what it missed with GET /api/events?since=', async () => {
    const bob = await connect(BOB);
    await whatsapp('wamid.LIVE2', 'Hello again');
    const seen = await bob.next(timelineOf('whatsapp:wamid.LIVE2'));
    bob.ws.close();
    await bob.closed;
    await whatsapp('wamid.LIVE3', 'Are you there?');
    await runtime.idle();
    const again = await connect(BOB);
    await again.next(isHello);
    const page = await events(seen.seq);
    expect(page.status).toBe(200);
    const ids = page.body.events.map((e) => (e.type === 'timeline.item' ? e.item.id : e.type));
    expect(ids).toContain('whatsapp:wamid.LIVE3');
    expect(page.body.more).toBe(false);
    const seqs = page.body.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(page.body.seq).toBe(Math.max(seen.seq, ...seqs));
    expect(again.frames.some(timelineOf('whatsapp:wamid.LIVE3'))).toBe(false);
  });

  it('answers 410 events_expired for a since older than what is kept, and 400 for a bad one', async () => {
    const old = (Date.now() - 25 * 3_600_000) * 1000;
    const gone = await events(old);
    expect(gone.status).toBe(410);
    expect(gone.body.error?.code).toBe('events_expired');
    expect((await events(-1)).status).toBe(400);
  });

  it('closes the open socket of an agent an admin removes (1008), which then receives nothing more', async () => {
    const dan = await connect(DAN);
    await dan.next(isHello);
    const ann = await connect(ANN);
    await ann.next(isHello);
    const removed = await fetch(`${runtime.url}/api/agents/agent-dan`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${LEAD}` },
    });
    expect(removed.status).toBe(204);
    expect(await dan.closed).toBe(1008);
    const seen = dan.frames.length;
    await ann.next(
      (f) => f.type === 'presence' && f.item.agentId === 'agent-dan' && f.item.presence === 'offline',
    );
    await whatsapp('wamid.LIVE0', 'My address is 1 Main St');
    await ann.next(timelineOf('whatsapp:wamid.LIVE0'));
    expect(dan.frames.length).toBe(seen);
    ann.ws.close();
    await ann.closed;
  });

  it('closes a socket that connects as a removal runs: its record not written yet, its lease already marked (1008)', async () => {
    // The removal's first writes: Eve's console lease is marked removed; her record comes next, and the
    // close of her open sockets after it. Her connect looked at the record before: it is refused at the lease.
    await runtime.store.agents.removeConsoleLease('agent-eve', new Date().toISOString());
    const eve = await connect(EVE);
    expect(await eve.closed).toBe(1008);
    expect(eve.frames.filter(isHello)).toEqual([]);
  });
});
