import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { Customer } from '#shared/domain/timeline.js';
import { anonymousConversationId } from '#shared/domain/webchat/anonymous-view.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const AGENT = agentToken('webchat-agent-token');
const SITE = 'http://shop.example';

type Started = { sessionToken: string; customerId?: string; verified: boolean };
type History = {
  customerId?: string;
  messages: Array<{ id: string; author: string; text: string; status?: string }>;
};

describe('local runtime: the web chat through the pipeline', () => {
  let runtime: LocalRuntime;
  let visitor: ReturnType<typeof visitorClient>;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      webchatLive: true,
      env: {
        AGENT_TOKENS: `agent-wes:${AGENT}`,
        WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
        WEBCHAT_ALLOWED_ORIGINS: SITE,
      },
    });
    visitor = visitorClient(runtime.url, SITE);
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, AGENT);
  const start = async (body: Record<string, unknown> = {}) => {
    const res = await visitor.session(body);
    expect(res.status).toBe(201);
    return (await res.json()) as Started;
  };
  const historyOf = async (token: string) => (await (await visitor.history(token)).json()) as History;

  it('stores a retried send once, answers the visitor live, and marks the reply delivered then read', async () => {
    const { sessionToken } = await start({ name: 'Vera' });
    const socket = new WebSocket(`${runtime.url.replace('http', 'ws')}/webchat/live?session=${sessionToken}`);
    const frames: Array<{ type: string; message?: { id: string; author: string; status?: string } }> = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    expect((await visitor.send(sessionToken, 'Where is my order?', 'client-msg-0001')).status).toBe(202);
    expect((await visitor.send(sessionToken, 'Where is my order?', 'client-msg-0001')).status).toBe(202);
    await runtime.idle();
    const first = await historyOf(sessionToken);
    expect(first.messages.map((m) => [m.author, m.text])).toEqual([['visitor', 'Where is my order?']]);
    const customer = await api<Customer>('GET', `/api/customers/${first.customerId}`);
    expect(customer.identities.map((i) => i.kind)).toEqual(['webchat_visitor']);

    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, {
      text: 'It ships today.',
    });
    await runtime.idle();
    const reply = (await historyOf(sessionToken)).messages.find((m) => m.author === 'agent');
    expect(reply).toMatchObject({ text: 'It ships today.', status: 'delivered' });
    await expect.poll(() => frames.some((f) => f.message?.id === reply?.id), { timeout: 30_000 }).toBe(true);

    expect(await (await visitor.read(sessionToken, [reply?.id as string, 'reply:not-yours'])).json()).toEqual(
      {
        read: [reply?.id],
      },
    );
    await runtime.idle();
    expect((await historyOf(sessionToken)).messages.find((m) => m.id === reply?.id)?.status).toBe('read');
    await expect
      .poll(() => frames.some((f) => f.message?.id === reply?.id && f.message?.status === 'read'), {
        timeout: 30_000,
      })
      .toBe(true);
    await runtime.idle();
    // Each status once: a write that changes nothing the visitor sees pushes nothing. Before, the reply's
    // frames came twice each (queued, queued, delivered, delivered, read).
    const mine = frames.filter((f) => f.message?.id === reply?.id).map((f) => f.message?.status);
    expect(mine).toEqual([...new Set(mine)]);
    expect(mine.at(-1)).toBe('read');
    socket.close();
  });

  it('makes a verified visitor the customer of their verified email, in any browser', async () => {
    const token = identityToken({ sub: 'user-42', email: 'Kim@Example.com', name: 'Kim' });
    const laptop = await start({ identityToken: token });
    expect(laptop.verified).toBe(true);
    await visitor.send(laptop.sessionToken, 'Hello from my laptop');
    await runtime.idle();
    const phone = await start({ identityToken: identityToken({ sub: 'user-42', email: 'kim@example.com' }) });
    expect(phone.customerId).toBeDefined();
    expect((await historyOf(phone.sessionToken)).messages.map((m) => m.text)).toEqual([
      'Hello from my laptop',
    ]);
    const customer = await api<Customer>('GET', `/api/customers/${phone.customerId}`);
    expect(customer.identities).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: 'kim@example.com' },
        { kind: 'webchat_user', value: 'user-42' },
      ]),
    );
  });

  it('turns an email an anonymous visitor typed into a suggestion, never a merge or a view of history', async () => {
    const owner = await start({ identityToken: identityToken({ sub: 'user-7', email: 'lee@example.com' }) });
    await visitor.send(owner.sessionToken, 'my private order 1234');
    await runtime.idle();
    const stranger = await start({ email: 'lee@example.com' });
    expect(stranger.customerId).toBeUndefined();
    await visitor.send(stranger.sessionToken, 'hi, it is Lee');
    await runtime.idle();
    const seen = await historyOf(stranger.sessionToken);
    expect(seen.messages.map((m) => m.text)).toEqual(['hi, it is Lee']);
    const suggestions = await api<{ items: Suggestion[] }>(
      'GET',
      `/api/customers/${seen.customerId}/suggestions`,
    );
    expect(suggestions.items.map((s) => s.otherId)).toEqual([
      (await historyOf(owner.sessionToken)).customerId,
    ]);
    const strangerCustomer = await api<Customer>('GET', `/api/customers/${seen.customerId}`);
    expect(strangerCustomer.identities.map((i) => i.kind)).toEqual(['webchat_visitor']);
  });

  it('refuses what it must: bad tokens, sessions, bodies and origins, and nothing reaches the queue', async () => {
    const expired = identityToken({ sub: 'u', exp: Math.floor(Date.now() / 1000) - 10 });
    expect((await visitor.session({ identityToken: expired })).status).toBe(401);
    expect((await visitor.session({ identityToken: `${identityToken({ sub: 'u' })}x` })).status).toBe(401);
    expect((await visitor.session({ email: 'not an email' })).status).toBe(400);
    expect((await visitor.send('wcs_unknown', 'hi')).status).toBe(401);
    expect((await visitor.history(`wcs_${'A'.repeat(43)}`)).status).toBe(401);
    const { sessionToken } = await start();
    expect((await visitor.send(sessionToken, 'x'.repeat(4001))).status).toBe(400);
    expect((await visitor.send(sessionToken, '   ')).status).toBe(400);
    const huge = await fetch(`${runtime.url}/webchat/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(20_000) }),
    });
    expect(huge.status).toBe(413);
    await runtime.idle();
    expect((await historyOf(sessionToken)).messages).toEqual([]);

    const preflight = (origin: string) =>
      fetch(`${runtime.url}/webchat/messages`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    expect((await preflight(SITE)).headers.get('access-control-allow-origin')).toBe(SITE);
    expect((await preflight('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it("passes an agent's typing to the visitor of that conversation as a label, never who", async () => {
    const { sessionToken } = await start({ name: 'Tess' });
    const other = await start({ name: 'Otto' });
    const ws = runtime.url.replace('http', 'ws');
    const open = async (socket: WebSocket) => new Promise((resolve) => socket.once('open', resolve));
    const visitorFrames = (socket: WebSocket) => {
      const frames: Array<Record<string, unknown>> = [];
      socket.on('message', (data) => frames.push(JSON.parse(String(data))));
      return frames;
    };
    expect((await visitor.send(sessionToken, 'Anyone there?')).status).toBe(202);
    expect((await visitor.send(other.sessionToken, 'Hello?')).status).toBe(202);
    await runtime.idle();
    const { customerId } = await historyOf(sessionToken);
    const customer = await api<Customer>('GET', `/api/customers/${customerId}`);
    const mine = new WebSocket(`${ws}/webchat/live?session=${sessionToken}`);
    const theirs = new WebSocket(`${ws}/webchat/live?session=${other.sessionToken}`);
    const agent = new WebSocket(`${ws}/api/live?token=${AGENT}`);
    const [seen, notSeen] = [visitorFrames(mine), visitorFrames(theirs)];
    // The agent's socket says hello once it is registered: a frame before that is not the agent's yet.
    const hello = new Promise((resolve) => agent.once('message', resolve));
    await Promise.all([open(mine), open(theirs), hello]);
    agent.send(JSON.stringify({ type: 'typing', conversationId: customer.openConversationId }));
    await expect
      .poll(() => seen.filter((f) => f.type === 'typing'), { timeout: 30_000 })
      .toEqual([
        // The anonymous visitor is shown the conversation by an opaque id.
        {
          type: 'typing',
          by: 'agent',
          on: true,
          conversationId: anonymousConversationId(customer.openConversationId as string),
        },
      ]);
    expect(JSON.stringify(seen)).not.toContain('agent-wes');
    expect(notSeen.filter((f) => f.type === 'typing')).toEqual([]);
    for (const socket of [mine, theirs, agent]) socket.close();
  });

  it('serves the loader, the panel under its hash and the demo page', async () => {
    const loader = await fetch(`${runtime.url}/webchat/widget.js`);
    expect(loader.headers.get('content-type')).toMatch(/javascript/);
    const panelPath = /\/webchat\/assets\/panel-[0-9a-f]{12}\.js/.exec(await loader.text())?.[0];
    expect(panelPath).toBeDefined();
    const panel = await fetch(`${runtime.url}${panelPath}`);
    expect(panel.status).toBe(200);
    expect(panel.headers.get('cache-control')).toMatch(/immutable/);
    expect(await (await fetch(`${runtime.url}/webchat/demo`)).text()).toContain('/webchat/widget.js');
  });
});
