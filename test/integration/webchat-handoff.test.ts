import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { anonymousConversationId } from '#shared/domain/webchat/anonymous-view.js';
import type { VisitorHandoff } from '#shared/domain/webchat/visitor-view.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { visitorClient } from '../support/webchat.js';

const AGENT = agentToken('webchat-handoff-agent');
const SITE = 'http://shop.example';
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

type History = {
  customerId?: string;
  messages: Array<{ id: string; at: string; author: string; text: string }>;
  handoff?: VisitorHandoff;
};
type Frame = { type: string; handoff?: VisitorHandoff; message?: { author: string; text: string } };

/**
 * The hand-off the visitor sees: routing's own decision, as a `handoff` frame on the socket and in the
 * history, once however often the message arrives, with the clock controlled (business hours).
 */
describe('local runtime: a web-chat conversation handed to a person', { timeout: 30_000 }, () => {
  let runtime: LocalRuntime;
  let visitor: ReturnType<typeof visitorClient>;
  let now = Date.parse('2026-12-03T10:00:00.000Z');

  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      webchatLive: true,
      clock: { now: () => new Date(now) },
      env: {
        AGENT_TOKENS: `agent-hana:${AGENT}`,
        WEBCHAT_ALLOWED_ORIGINS: SITE,
        ROUTING_POLICY_FILE: shippedPolicyFileWith((policy) => {
          policy.businessHours = {
            timezone: 'UTC',
            hours: [{ days: WEEKDAYS, open: '09:00', close: '17:00' }],
            afterHours: { route: 'ai' },
          };
        }),
      },
    });
    visitor = visitorClient(runtime.url, SITE);
  }, 60_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, AGENT);
  const historyOf = async (token: string) => (await (await visitor.history(token)).json()) as History;
  /** A visitor with a session and their live socket's frames. */
  const chatting = async () => {
    const { sessionToken } = (await (await visitor.session({ name: 'Hana' })).json()) as {
      sessionToken: string;
    };
    const socket = new WebSocket(`${runtime.url.replace('http', 'ws')}/webchat/live?session=${sessionToken}`);
    const frames: Frame[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    return { sessionToken, socket, handoffs: () => frames.filter((f) => f.type === 'handoff') };
  };

  it('says so once for a message that arrives twice, keeps it in the history, and the reply comes after it', async () => {
    const { sessionToken, socket, handoffs } = await chatting();
    const send = () =>
      visitor.send(sessionToken, 'I want to talk to a person about a refund', 'handoff-msg-1');
    expect((await send()).status).toBe(202);
    await runtime.idle();
    now += 60_000;
    expect((await send()).status).toBe(202);
    await runtime.idle();
    const history = await historyOf(sessionToken);
    const [asked] = history.messages;
    const customer = await api<{ openConversationId: string }>('GET', `/api/customers/${history.customerId}`);
    // The anonymous visitor is shown the conversation by an opaque id.
    const expected = { conversationId: anonymousConversationId(customer.openConversationId), at: asked?.at };
    await expect.poll(handoffs, { timeout: 30_000 }).toEqual([{ type: 'handoff', handoff: expected }]);
    expect(history.handoff).toEqual(expected);

    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, {
      text: 'Hana, Bea here.',
    });
    await runtime.idle();
    const answered = await historyOf(sessionToken);
    const reply = answered.messages.find((m) => m.author === 'agent');
    expect(answered.handoff).toEqual(expected);
    expect(reply && reply.at > (answered.handoff?.at ?? '')).toBe(true);
    expect(handoffs()).toHaveLength(1);
    socket.close();
  });

  it('says it was after hours, and says nothing when the AI answers', async () => {
    now = Date.parse('2026-12-05T12:00:00.000Z');
    const { sessionToken, socket, handoffs } = await chatting();
    expect((await visitor.send(sessionToken, 'How long does shipping take?')).status).toBe(202);
    await runtime.idle();
    const first = await historyOf(sessionToken);
    expect(first.messages.map((m) => m.author)).toEqual(['visitor', 'ai']);
    expect(first.handoff).toBeUndefined();
    now += 60_000;
    expect((await visitor.send(sessionToken, 'I want to talk to a person about a refund')).status).toBe(202);
    await runtime.idle();
    const second = await historyOf(sessionToken);
    expect(second.handoff).toMatchObject({ at: second.messages.at(-1)?.at, afterHours: true });
    await expect.poll(() => handoffs().map((f) => f.handoff), { timeout: 30_000 }).toEqual([second.handoff]);
    socket.close();
  });
});
